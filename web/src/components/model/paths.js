// Where the server's refusal of a model belongs on the page. Every message of the model checks
// starts with the JSON path of the problem, which the problem also gives as its field
// (docs/scoring-model.md "Errors"): `indicators[2].bands[1]: overlaps …`. The path becomes a
// "slot", a place of the editor; the editor shows the message there, or at the top when the
// place is not on the page.

// The field and the message of an ApiError from POST /model/validate or PUT /model.
export function problemOf(e) {
  const message = e?.message || '';
  let field = e?.errors?.[0]?.field || '';
  if (!field) field = message.match(/^([A-Za-z_][\w.[\]]*): /)?.[1] || '';
  return { field: field === 'body' ? '' : field, message };
}

// The slot of a JSON path:
//   name, window_months, method          the head of the model
//   weights                              "indicators" itself (the sum of the weights)
//   weight:I                             indicators[I].weight
//   transform:I, missing:I, bands:I, linear:I, fuzzy:I
//   band:I:J, mf:I:J                     indicators[I].bands[J], indicators[I].fuzzy[J]
//   indicator:I                          anything else of indicators[I] (name, source, …)
//   tiers, cut:K                         the tier rule, tiers.cuts[K]
//   fuzzy, grade:J                       the fuzzy head, fuzzy.grades[J]
//   ''                                   nowhere in particular: the top of the page
export function slotOf(field) {
  if (!field) return '';
  if (field === 'name' || field === 'window_months' || field === 'method') return field;
  if (field === 'indicators') return 'weights';
  let m = field.match(/^indicators\[(\d+)\](.*)$/);
  if (m) {
    const [, i, rest] = m;
    let k;
    if (/^\.weight\b/.test(rest)) return `weight:${i}`;
    if ((k = rest.match(/^\.bands\[(\d+)\]/))) return `band:${i}:${k[1]}`;
    if ((k = rest.match(/^\.fuzzy\[(\d+)\]/))) return `mf:${i}:${k[1]}`;
    if ((k = rest.match(/^\.(transform|missing|bands|linear|fuzzy)\b/))) return `${k[1]}:${i}`;
    return `indicator:${i}`;
  }
  if ((m = field.match(/^tiers\.cuts\[(\d+)\]/))) return `cut:${m[1]}`;
  if (field === 'tiers' || field.startsWith('tiers.')) return 'tiers';
  if ((m = field.match(/^fuzzy\.grades\[(\d+)\]/))) return `grade:${m[1]}`;
  if (field === 'fuzzy' || field.startsWith('fuzzy.')) return 'fuzzy';
  return '';
}

// The index of the indicator a slot belongs to, or -1.
export function indicatorOfSlot(slot) {
  const m = /^(?:weight|transform|missing|bands|linear|fuzzy|band|mf|indicator):(\d+)/.exec(slot || '');
  return m ? Number(m[1]) : -1;
}
