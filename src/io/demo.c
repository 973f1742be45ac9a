/* The demo company generator: 恒岳工业集团, a made-up supplier of industrial and consumer goods
 * in China, with its customers, products, contacts, orders and invoices.
 *
 * The whole data set is first built in memory (struct demo), one section after the other, then
 * written as the CSV files that `kam import` reads, so the demo exercises the same path as real
 * data. Each section draws from its own random stream, derived from (seed, section, item) with
 * splitmix64 into xoshiro256**, so adding a section leaves the data of the existing ones
 * unchanged, and one account's draws never shift another's. Nothing reads the clock; the only
 * environment read is $TMPDIR, in kam_demo_generate.
 *
 * It deliberately does not compute anything kam computes (scores, tiers, risk): the data only has
 * the shapes those features look for (DOMAIN.md "Pareto analysis": account sizes follow a
 * lognormal spread placed on fixed quantiles, so the top 20 % bring about 75 % of net revenue for
 * every seed; "Lifecycle stage": growing, stable, declining, new and lost accounts; overdue
 * receivables; groups; every supply-chain role of "Scope"). docs/demo.md has the content and how
 * to add a section. */
#include "io/demo.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/record.h"
#include "io/import.h"
#include "io/users.h"
#include "util/date.h"
#include "util/map.h"
#include "util/mem.h"
#include "util/money.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* --- random numbers ----------------------------------------------------------------------- */

/* Stream numbers of the sections. Never renumber or reuse one: that would change the data of
 * every seed. A new section takes the next free number. */
enum stream {
    STREAM_ACCOUNTS = 1, /* item 0: order and groups; item i + 1: account i's role */
    STREAM_ACCOUNT_FACTS = 2,
    STREAM_ACCOUNT_TEXT = 3,
    STREAM_PRODUCTS = 4,
    STREAM_CONTACTS = 5,
    STREAM_ORDERS = 6,
    STREAM_PAYMENTS = 7,
    STREAM_RATINGS = 8, /* item i + 1: account i's ratings */
};

struct rng {
    uint64_t s[4];
};

static uint64_t splitmix64(uint64_t *x)
{
    uint64_t z = (*x += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

/* The generator of one item (an account, say) of one section: independent of every other item,
 * so one account's draws never shift another's. */
static void rng_init(struct rng *r, uint64_t seed, enum stream stream, uint64_t item)
{
    uint64_t x = seed, y;

    y = splitmix64(&x) ^ ((uint64_t)stream * 0xd1b54a32d192ed03ull);
    x = y;
    y = splitmix64(&x) ^ (item * 0x8cb92ba72f3d8dd7ull);
    x = y;
    for (int i = 0; i < 4; i++)
        r->s[i] = splitmix64(&x);
}

static uint64_t rotl(uint64_t x, int k)
{
    return (x << k) | (x >> (64 - k));
}

/* xoshiro256** (Blackman and Vigna). */
static uint64_t rng_next(struct rng *r)
{
    uint64_t *s = r->s;
    uint64_t result = rotl(s[1] * 5, 7) * 9, t = s[1] << 17;

    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl(s[3], 45);
    return result;
}

/* Uniform in [0, 1). */
static double rng_unit(struct rng *r)
{
    return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform in [0, n), n > 0 (Lemire's multiply; the bias is below 2^-32). */
static int rng_below(struct rng *r, int n)
{
    return (int)(((rng_next(r) >> 32) * (uint64_t)n) >> 32);
}

static int rng_range(struct rng *r, int lo, int hi)
{
    return lo + rng_below(r, hi - lo + 1);
}

static double rng_uniform(struct rng *r, double lo, double hi)
{
    return lo + (hi - lo) * rng_unit(r);
}

static bool rng_chance(struct rng *r, double p)
{
    return rng_unit(r) < p;
}

static double rng_normal(struct rng *r)
{
    double u1 = 1.0 - rng_unit(r), u2 = rng_unit(r); /* u1 in (0, 1] */
    return sqrt(-2.0 * log(u1)) * cos(2.0 * M_PI * u2);
}

/* exp(sigma * N(0,1)) scaled to mean 1: multiplicative noise that keeps expected sums. */
static double rng_noise(struct rng *r, double sigma)
{
    return exp(sigma * rng_normal(r) - sigma * sigma / 2.0);
}

/* An index into weights[0..n) drawn in proportion to the weights. */
static int rng_weighted(struct rng *r, const int *weights, int n)
{
    int total = 0, x;

    for (int i = 0; i < n; i++)
        total += weights[i];
    x = rng_below(r, total);
    for (int i = 0; i < n; i++) {
        if (x < weights[i])
            return i;
        x -= weights[i];
    }
    return n - 1;
}

/* Poisson count with mean lambda (Knuth; the means here stay below about 20). */
static int rng_poisson(struct rng *r, double lambda)
{
    double limit = exp(-lambda), p = 1.0;
    int k = 0;

    if (lambda <= 0)
        return 0;
    for (;;) {
        p *= rng_unit(r);
        if (p <= limit)
            return k;
        k++;
    }
}

/* Index in [0, n) skewed towards 0: the first entries of a pool are the common ones. */
static int rng_skewed(struct rng *r, int n, double power)
{
    int i = (int)(n * pow(rng_unit(r), power));
    return i < n ? i : n - 1;
}

/* Inverse of the standard normal distribution function (Acklam's rational approximation,
 * relative error below 1.2e-9), for account sizes placed on fixed quantiles. */
static double normal_quantile(double p)
{
    static const double a[] = {-3.969683028665376e+01, 2.209460984245205e+02,
                               -2.759285104469687e+02, 1.383577518672690e+02,
                               -3.066479806614716e+01, 2.506628277459239e+00};
    static const double b[] = {-5.447609879822406e+01, 1.615858368580409e+02,
                               -1.556989798598866e+02, 6.680131188771972e+01,
                               -1.328068155288572e+01};
    static const double c[] = {-7.784894002430293e-03, -3.223964580411365e-01,
                               -2.400758277161838e+00, -2.549732539343734e+00,
                               4.374664141464968e+00,  2.938163982698783e+00};
    static const double d[] = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
                               3.754408661907416e+00};
    double q, t;

    if (p < 0.02425 || p > 1 - 0.02425) {
        q = sqrt(-2 * log(p < 0.5 ? p : 1 - p));
        t = (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) /
            ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
        return p < 0.5 ? t : -t;
    }
    q = p - 0.5;
    t = q * q;
    return (((((a[0] * t + a[1]) * t + a[2]) * t + a[3]) * t + a[4]) * t + a[5]) * q /
           (((((b[0] * t + b[1]) * t + b[2]) * t + b[3]) * t + b[4]) * t + 1);
}

/* --- pools of realistic values ------------------------------------------------------------ */

/* Our own company, the seller: internal accounts are its branches. */
#define SELLER "恒岳工业集团"

/* Owners are the demo logins: east of the country has two account managers, the rest one. */
struct region {
    const char *name;
    int weight; /* share of accounts, % */
    bool east;
};

static const struct region regions[] = {
    {"华东", 30, true},  {"华北", 15, true}, {"华南", 21, false}, {"华中", 12, false},
    {"西南", 10, false}, {"西北", 6, false}, {"东北", 6, true},
};

enum { R_EAST, R_NORTH, R_SOUTH, R_CENTRAL, R_SOUTHWEST, R_NORTHWEST, R_NORTHEAST };

/* Cities by region, the larger first; division is the administrative division code that
 * positions 3-8 of a unified social credit code carry. */
struct city {
    const char *name, *pinyin, *en;
    const char *division;
    int region;
};

static const struct city cities[] = {
    {"上海", "shanghai", "Shanghai", "310115", R_EAST},
    {"苏州", "suzhou", "Suzhou", "320500", R_EAST},
    {"杭州", "hangzhou", "Hangzhou", "330100", R_EAST},
    {"南京", "nanjing", "Nanjing", "320100", R_EAST},
    {"宁波", "ningbo", "Ningbo", "330200", R_EAST},
    {"无锡", "wuxi", "Wuxi", "320200", R_EAST},
    {"青岛", "qingdao", "Qingdao", "370200", R_EAST},
    {"济南", "jinan", "Jinan", "370100", R_EAST},
    {"合肥", "hefei", "Hefei", "340100", R_EAST},
    {"厦门", "xiamen", "Xiamen", "350200", R_EAST},
    {"福州", "fuzhou", "Fuzhou", "350100", R_EAST},
    {"南昌", "nanchang", "Nanchang", "360100", R_EAST},
    {"常州", "changzhou", "Changzhou", "320400", R_EAST},
    {"温州", "wenzhou", "Wenzhou", "330300", R_EAST},
    {"北京", "beijing", "Beijing", "110108", R_NORTH},
    {"天津", "tianjin", "Tianjin", "120116", R_NORTH},
    {"石家庄", "shijiazhuang", "Shijiazhuang", "130100", R_NORTH},
    {"唐山", "tangshan", "Tangshan", "130200", R_NORTH},
    {"太原", "taiyuan", "Taiyuan", "140100", R_NORTH},
    {"保定", "baoding", "Baoding", "130600", R_NORTH},
    {"呼和浩特", "huhehaote", "Hohhot", "150100", R_NORTH},
    {"深圳", "shenzhen", "Shenzhen", "440300", R_SOUTH},
    {"广州", "guangzhou", "Guangzhou", "440100", R_SOUTH},
    {"东莞", "dongguan", "Dongguan", "441900", R_SOUTH},
    {"佛山", "foshan", "Foshan", "440600", R_SOUTH},
    {"珠海", "zhuhai", "Zhuhai", "440400", R_SOUTH},
    {"南宁", "nanning", "Nanning", "450100", R_SOUTH},
    {"海口", "haikou", "Haikou", "460100", R_SOUTH},
    {"武汉", "wuhan", "Wuhan", "420100", R_CENTRAL},
    {"长沙", "changsha", "Changsha", "430100", R_CENTRAL},
    {"郑州", "zhengzhou", "Zhengzhou", "410100", R_CENTRAL},
    {"洛阳", "luoyang", "Luoyang", "410300", R_CENTRAL},
    {"株洲", "zhuzhou", "Zhuzhou", "430200", R_CENTRAL},
    {"宜昌", "yichang", "Yichang", "420500", R_CENTRAL},
    {"成都", "chengdu", "Chengdu", "510100", R_SOUTHWEST},
    {"重庆", "chongqing", "Chongqing", "500112", R_SOUTHWEST},
    {"昆明", "kunming", "Kunming", "530100", R_SOUTHWEST},
    {"贵阳", "guiyang", "Guiyang", "520100", R_SOUTHWEST},
    {"绵阳", "mianyang", "Mianyang", "510700", R_SOUTHWEST},
    {"西安", "xian", "Xi'an", "610100", R_NORTHWEST},
    {"兰州", "lanzhou", "Lanzhou", "620100", R_NORTHWEST},
    {"银川", "yinchuan", "Yinchuan", "640100", R_NORTHWEST},
    {"乌鲁木齐", "wulumuqi", "Urumqi", "650100", R_NORTHWEST},
    {"西宁", "xining", "Xining", "630100", R_NORTHWEST},
    {"宝鸡", "baoji", "Baoji", "610300", R_NORTHWEST},
    {"沈阳", "shenyang", "Shenyang", "210100", R_NORTHEAST},
    {"大连", "dalian", "Dalian", "210200", R_NORTHEAST},
    {"长春", "changchun", "Changchun", "220100", R_NORTHEAST},
    {"哈尔滨", "haerbin", "Harbin", "230100", R_NORTHEAST},
    {"鞍山", "anshan", "Anshan", "210300", R_NORTHEAST},
    {"吉林", "jilin", "Jilin", "220200", R_NORTHEAST},
};

/* Trade names (字号) with their pinyin, for Chinese names, websites and e-mail domains. */
struct brand {
    const char *zh, *pinyin;
};

static const struct brand brands[] = {
    {"宏达", "hongda"},    {"恒信", "hengxin"},    {"永盛", "yongsheng"},  {"鑫源", "xinyuan"},
    {"金泰", "jintai"},    {"瑞丰", "ruifeng"},    {"博远", "boyuan"},     {"天成", "tiancheng"},
    {"华瑞", "huarui"},    {"立信", "lixin"},      {"盛世", "shengshi"},   {"国瑞", "guorui"},
    {"东恒", "dongheng"},  {"三和", "sanhe"},      {"九鼎", "jiuding"},    {"百川", "baichuan"},
    {"汇通", "huitong"},   {"安泰", "antai"},      {"嘉禾", "jiahe"},      {"兴业", "xingye"},
    {"万通", "wantong"},   {"科达", "keda"},       {"信诚", "xincheng"},   {"明辉", "minghui"},
    {"德隆", "delong"},    {"海纳", "haina"},      {"凯利", "kaili"},      {"合力", "heli"},
    {"精工", "jinggong"},  {"同创", "tongchuang"}, {"远航", "yuanhang"},   {"启明", "qiming"},
    {"协力", "xieli"},     {"卓越", "zhuoyue"},    {"振华", "zhenhua"},    {"华宇", "huayu"},
    {"永安", "yongan"},    {"富强", "fuqiang"},    {"和顺", "heshun"},     {"宝丰", "baofeng"},
    {"祥和", "xianghe"},   {"昌盛", "changsheng"}, {"泰丰", "taifeng"},    {"金鹏", "jinpeng"},
    {"银河", "yinhe"},     {"飞跃", "feiyue"},     {"腾达", "tengda"},     {"新锐", "xinrui"},
    {"中恒", "zhongheng"}, {"鼎盛", "dingsheng"},  {"联创", "lianchuang"}, {"正和", "zhenghe"},
    {"瑞祥", "ruixiang"},  {"通达", "tongda"},     {"润泽", "runze"},      {"恒通", "hengtong"},
};

static const char *const brands_en[] = {
    "Bright",  "Golden",  "Everwin", "Sunrise",   "Harmony", "Prosper",    "Orient",  "Unity",
    "Pioneer", "Zenith",  "Crown",   "Summit",    "Apex",    "Lucky",      "Silver",  "Star",
    "Dragon",  "Phoenix", "Jade",    "Pacific",   "Vast",    "Fortune",    "Century", "Grand",
    "Victory", "Royal",   "Wisdom",  "Evergreen", "Rising",  "Great Wall", "Eastern", "Linkage",
};

/* What a company does: the word in its name and its industry. Trade words are for the roles that
 * resell (distributor, dealer, wholesaler, agent), the others for end users and suppliers. */
struct trade {
    const char *zh, *en, *industry;
};

static const struct trade makers[] = {
    {"精密机械", "Precision Machinery", "机械制造"},
    {"电子科技", "Electronics", "电子电器"},
    {"汽车零部件", "Auto Parts", "汽车制造"},
    {"五金制品", "Hardware", "五金制品"},
    {"包装材料", "Packaging", "包装印刷"},
    {"化工", "Chemicals", "化工"},
    {"新材料", "Advanced Materials", "新材料"},
    {"建材", "Building Materials", "建筑建材"},
    {"食品", "Foods", "食品饮料"},
    {"医疗器械", "Medical Devices", "医疗器械"},
    {"电器", "Appliances", "家用电器"},
    {"纺织", "Textiles", "纺织服装"},
    {"新能源科技", "New Energy", "新能源"},
    {"环保设备", "Environmental Equipment", "环保"},
    {"智能装备", "Intelligent Equipment", "机械制造"},
};

static const struct trade traders[] = {
    {"商贸", "Trading", "批发零售"},
    {"贸易", "Trade", "批发零售"},
    {"供应链管理", "Supply Chain", "供应链服务"},
    {"机电设备", "Electromechanical Equipment", "机电贸易"},
    {"工业品", "Industrial Supplies", "工业品分销"},
    {"实业", "Industrial", "综合"},
    {"物资", "Materials Supply", "物资贸易"},
    {"五金机电", "Hardware & Electrical", "五金机电"},
};

static const char *const internal_units[] = {"分公司", "销售分公司", "仓储中心", "售后服务中心"};

struct road {
    const char *zh, *en;
};

static const struct road roads[] = {
    {"人民路", "Renmin Road"},      {"建设路", "Jianshe Road"},      {"中山路", "Zhongshan Road"},
    {"解放路", "Jiefang Road"},     {"长江路", "Changjiang Road"},   {"黄河路", "Huanghe Road"},
    {"科技路", "Keji Road"},        {"创业大道", "Chuangye Avenue"}, {"工业大道", "Gongye Avenue"},
    {"学府路", "Xuefu Road"},       {"滨江路", "Binjiang Road"},     {"东风路", "Dongfeng Road"},
    {"迎宾大道", "Yingbin Avenue"}, {"新华路", "Xinhua Road"},       {"高新大道", "Gaoxin Avenue"},
};

static const struct road zones[] = {
    {"高新区", "Hi-tech Zone"},
    {"经济技术开发区", "Economic and Technological Development Zone"},
    {"工业园区", "Industrial Park"},
    {"新区", "New District"},
};

struct name_part {
    const char *zh, *pinyin;
};

/* Common surnames, most common first. */
static const struct name_part surnames[] = {
    {"王", "wang"},  {"李", "li"},    {"张", "zhang"}, {"刘", "liu"},  {"陈", "chen"},
    {"杨", "yang"},  {"黄", "huang"}, {"赵", "zhao"},  {"吴", "wu"},   {"周", "zhou"},
    {"徐", "xu"},    {"孙", "sun"},   {"马", "ma"},    {"朱", "zhu"},  {"胡", "hu"},
    {"郭", "guo"},   {"何", "he"},    {"高", "gao"},   {"林", "lin"},  {"罗", "luo"},
    {"郑", "zheng"}, {"梁", "liang"}, {"谢", "xie"},   {"宋", "song"}, {"唐", "tang"},
    {"韩", "han"},   {"冯", "feng"},  {"邓", "deng"},  {"曹", "cao"},  {"彭", "peng"},
    {"曾", "zeng"},  {"肖", "xiao"},  {"田", "tian"},  {"董", "dong"}, {"袁", "yuan"},
    {"潘", "pan"},   {"蒋", "jiang"}, {"蔡", "cai"},   {"余", "yu"},   {"杜", "du"},
    {"叶", "ye"},    {"程", "cheng"}, {"苏", "su"},    {"魏", "wei"},  {"吕", "lv"},
    {"丁", "ding"},  {"沈", "shen"},  {"姚", "yao"},   {"卢", "lu"},   {"欧阳", "ouyang"},
};

static const struct name_part given[] = {
    {"伟", "wei"},   {"芳", "fang"}, {"娜", "na"},   {"敏", "min"},  {"静", "jing"}, {"丽", "li"},
    {"强", "qiang"}, {"磊", "lei"},  {"军", "jun"},  {"洋", "yang"}, {"勇", "yong"}, {"艳", "yan"},
    {"杰", "jie"},   {"涛", "tao"},  {"明", "ming"}, {"超", "chao"}, {"秀", "xiu"},  {"霞", "xia"},
    {"平", "ping"},  {"刚", "gang"}, {"英", "ying"}, {"华", "hua"},  {"文", "wen"},  {"建", "jian"},
    {"国", "guo"},   {"志", "zhi"},  {"海", "hai"},  {"红", "hong"}, {"玲", "ling"}, {"鹏", "peng"},
    {"宇", "yu"},    {"晨", "chen"}, {"浩", "hao"},  {"婷", "ting"}, {"欣", "xin"},  {"凯", "kai"},
    {"斌", "bin"},   {"辉", "hui"},  {"颖", "ying"}, {"佳", "jia"},  {"琳", "lin"},  {"峰", "feng"},
    {"波", "bo"},    {"丹", "dan"},  {"慧", "hui"},  {"鑫", "xin"},  {"思", "si"},   {"雪", "xue"},
    {"梅", "mei"},   {"俊", "jun"},
};

/* Contact titles: level 0 is the head, a contact reports to the nearest higher level of its
 * department, else to the head. */
struct title {
    const char *title, *dept;
    int level;
};

static const struct title titles[] = {
    {"总经理", "总经办", 0},   {"采购经理", "采购部", 2}, {"采购总监", "采购部", 1},
    {"副总经理", "总经办", 1}, {"财务总监", "财务部", 1}, {"技术总监", "技术部", 1},
    {"财务经理", "财务部", 2}, {"设备经理", "设备部", 2}, {"生产经理", "生产部", 2},
    {"质量经理", "质量部", 2}, {"采购专员", "采购部", 3}, {"仓储主管", "物流部", 3},
    {"会计", "财务部", 3},
};

static const char *const mobile_prefixes[] = {"138", "139", "135", "136", "137", "150", "151",
                                              "152", "158", "159", "186", "187", "188", "177",
                                              "199", "133", "153", "180", "181", "189"};

static const char *const mail_hosts[] = {"163.com", "qq.com", "126.com", "sina.com"};

/* Product catalogue: a category and its items; an item's spec number (a size, a power) sets its
 * place in the price range. */
struct item {
    const char *pattern; /* printf with one %d, the spec */
    int spec_lo, spec_hi;
    double price_lo, price_hi;
};

struct category {
    const char *name;
    double cost_lo, cost_hi; /* standard cost as a share of list price */
    struct item items[4];
};

static const struct category categories[] = {
    {"轴承",
     0.50,
     0.70,
     {{"深沟球轴承 62%02d-2RS", 0, 20, 12, 180},
      {"圆锥滚子轴承 302%02d", 3, 20, 30, 420},
      {"调心滚子轴承 222%02d", 5, 20, 260, 2600},
      {NULL, 0, 0, 0, 0}}},
    {"电机与传动",
     0.55,
     0.75,
     {{"三相异步电机 YE3 %dkW", 1, 90, 950, 28000},
      {"变频器 %dkW", 1, 55, 800, 15000},
      {"斜齿轮减速机 R%d", 17, 107, 1500, 20000},
      {NULL, 0, 0, 0, 0}}},
    {"液压气动",
     0.50,
     0.72,
     {{"标准气缸 SC%d", 32, 100, 180, 900},
      {"电磁阀 4V%d", 110, 410, 60, 320},
      {"柱塞泵 PV%d", 10, 100, 2500, 18000},
      {NULL, 0, 0, 0, 0}}},
    {"电动工具",
     0.55,
     0.75,
     {{"冲击钻 %dW", 500, 1200, 180, 900},
      {"角磨机 %dmm", 100, 180, 150, 700},
      {"锂电扳手 %dV", 12, 20, 400, 1600},
      {NULL, 0, 0, 0, 0}}},
    {"紧固件",
     0.45,
     0.65,
     {{"不锈钢六角螺栓 M%d（100只/盒）", 6, 24, 25, 380},
      {"膨胀螺丝 M%d（50只/盒）", 6, 16, 20, 150},
      {"法兰螺母 M%d（200只/盒）", 5, 20, 30, 260},
      {NULL, 0, 0, 0, 0}}},
    {"润滑油品",
     0.60,
     0.78,
     {{"抗磨液压油 %d号 200L", 32, 68, 2800, 4800},
      {"工业齿轮油 %d号 18L", 150, 460, 300, 800},
      {"锂基润滑脂 %d号 15kg", 0, 3, 300, 900},
      {NULL, 0, 0, 0, 0}}},
    {"劳保用品",
     0.45,
     0.70,
     {{"丁腈防护手套 %d双/箱", 100, 300, 120, 480},
      {"ABS安全帽 %d顶/箱", 10, 30, 150, 600},
      {"防护眼镜 %d副/盒", 10, 50, 60, 400},
      {NULL, 0, 0, 0, 0}}},
    {"包装材料",
     0.60,
     0.80,
     {{"PE缠绕膜 %dmm", 300, 500, 40, 90},
      {"五层瓦楞纸箱 %d号（50个）", 1, 12, 60, 300},
      {"封箱胶带 %dmm（48卷）", 45, 72, 80, 160},
      {NULL, 0, 0, 0, 0}}},
    {"家用电器",
     0.62,
     0.80,
     {{"空气净化器 KJ%d", 200, 600, 900, 4500},
      {"电饭煲 %dL", 3, 5, 200, 900},
      {"储水式电热水器 %dL", 40, 100, 900, 3500},
      {NULL, 0, 0, 0, 0}}},
    {"日化用品",
     0.55,
     0.78,
     {{"浓缩洗衣液 %dkg", 1, 5, 20, 120},
      {"抑菌洗手液 %dml（12瓶）", 300, 500, 60, 150},
      {"消毒湿巾 %d片（24包）", 10, 80, 50, 200},
      {NULL, 0, 0, 0, 0}}},
};

/* Order intake by calendar month: Chinese New Year empties January and February, the year-end
 * push fills the fourth quarter. */
static const double season[12] = {0.72, 0.55, 0.95, 1.00, 1.00, 1.05,
                                  0.95, 0.95, 1.05, 1.10, 1.25, 1.38};

static const char *const channels[] = {"direct", "distributor", "online"};
enum { CH_DIRECT, CH_DISTRIBUTOR, CH_ONLINE };

enum role {
    ROLE_END_USER,
    ROLE_DISTRIBUTOR,
    ROLE_DEALER,
    ROLE_WHOLESALER,
    ROLE_AGENT,
    ROLE_SUPPLIER,
    ROLE_INTERNAL,
    ROLE_COUNT
};

/* Role mix by size (percent): resellers dominate the large accounts, end users the small. */
static const int role_mix[3][ROLE_COUNT] = {
    {30, 25, 10, 15, 8, 7, 5}, /* large: z > 1 */
    {45, 10, 18, 10, 8, 6, 3}, /* middle */
    {55, 3, 20, 7, 7, 6, 2},   /* small: z < -0.5 */
};

enum traj { TR_STABLE, TR_GROWING, TR_DECLINING, TR_NEW, TR_LOST, TR_PROSPECT, TR_COUNT };
static const int traj_mix[TR_COUNT] = {36, 24, 16, 12, 8, 4};

enum payer { PAY_PROMPT, PAY_LATE, PAY_POOR, PAY_COUNT };
static const int payer_mix[PAY_COUNT] = {62, 26, 12};

/* Tags added after the import (colours are the UI's palette). */
enum tag {
    TAG_STRATEGIC,
    TAG_CHURN_RISK,
    TAG_NEW,
    TAG_GROUP,
    TAG_EXPORT,
    TAG_SLOW_PAYER,
    TAG_COUNT
};

static const struct {
    const char *name, *color;
} tag_defs[TAG_COUNT] = {
    [TAG_STRATEGIC] = {"战略客户", "#cf1322"}, [TAG_CHURN_RISK] = {"流失风险", "#fa8c16"},
    [TAG_NEW] = {"新客户", "#52c41a"},         [TAG_GROUP] = {"集团客户", "#1677ff"},
    [TAG_EXPORT] = {"export", "#13c2c2"},      [TAG_SLOW_PAYER] = {"回款慢", "#722ed1"},
};

/* Scale: a median account buys about this much a month (yuan); sizes spread as
 * exp(SIZE_SIGMA * z). With sigma 1.5 a lognormal's top 20 % hold about 76 % of the total. */
#define MEDIAN_MONTHLY 20000.0
#define SIZE_SIGMA     1.5

/* --- the model ---------------------------------------------------------------------------- */

struct acct {
    char code[16];
    char uscc[20]; /* "" when not known */
    const char *name, *industry, *website, *domain, *address, *justification, *owner, *status;
    int role, city, level, channel, terms, payer, max_lines;
    int group;  /* group number, -1 when none */
    int parent; /* account index, -1 when none */
    int brand;  /* index into brands or brands_en */
    bool english, exports;
    enum traj traj;
    double z;           /* size as a standard normal quantile */
    double monthly;     /* expected net revenue a month (yuan) in the middle of the range */
    double rate;        /* expected orders a month */
    double growth;      /* yearly factor */
    double price_level; /* share of the list price it pays */
    int first, last;    /* months of the range (0-based) it buys in */
    uint32_t cats;      /* preferred product categories, one bit each */
    kam_money capital, annual_revenue, est_purchases, credit_limit;
    int64_t employees, founded;
    kam_money net; /* net revenue of its order lines, filled by the orders section */
};

struct product {
    char sku[16];
    const char *name;
    int category;
    kam_money list_price, std_cost;
};

struct contact {
    int acct;
    int boss; /* contact index, -1 = reports to nobody recorded */
    const char *name, *title, *dept, *phone, *email;
};

struct order {
    int64_t day; /* days since 1970-01-01 */
    int acct;
    int channel;
    uint32_t seq; /* creation order: the last sort key, so sorting is deterministic */
    uint32_t first_line;
    uint8_t nlines;
    bool is_return;
};

struct line {
    int product;
    int64_t quantity; /* whole units, negative for a return */
    kam_money unit_price, unit_cost, discount;
};

/* One monthly statement (月结) of an account: the invoice and what became of it. */
struct invoice {
    int acct;
    int month;
    kam_money amount;
    int64_t issued, due, paid; /* days; paid -1 while open */
    kam_money paid_amount;
};

struct tag_link {
    int acct;
    enum tag tag;
};

/* One static rating of the default scoring model (docs/scoring-model.md). */
struct rating {
    int acct;
    int name; /* index into rating_names */
    int value;
    const char *note; /* NULL: none */
};

enum section_id {
    SEC_ACCOUNTS,
    SEC_PRODUCTS,
    SEC_CONTACTS,
    SEC_ORDERS,
    SEC_PAYMENTS,
    SEC_TAGS,
    SEC_RATINGS,
    SEC_USERS,
    SEC_COUNT
};

struct demo {
    struct kam_demo_opts o;
    struct kam_date end;
    int64_t end_day;
    int month0; /* kam_date_month_index of the first month */
    int nmonths;
    int ncats;
    struct kam_arena arena;  /* every string of the model */
    struct kam_strmap names; /* account names taken */

    struct acct *accts;
    int naccts;
    int ngroups;
    struct product *prods;
    int nprods;
    struct contact *contacts;
    size_t ncontacts, contacts_cap;
    struct order *orders;
    size_t norders, orders_cap;
    struct line *lines;
    size_t nlines, lines_cap;
    struct invoice *invoices;
    size_t ninvoices, invoices_cap;
    struct tag_link *tags;
    size_t ntags, tags_cap;
    struct rating *ratings;
    size_t nratings, ratings_cap;

    int64_t rows[SEC_COUNT]; /* rows (links for tags) each section produced */
};

static void *grow(void *p, size_t *cap, size_t need, size_t size)
{
    size_t c = *cap ? *cap : 256;

    if (need <= *cap)
        return p;
    while (c < need)
        c *= 2;
    *cap = c;
    return kam_xrealloc(p, c * size);
}

static const char *arena_printf(struct demo *d, const char *fmt, ...) KAM_PRINTF(2, 3);
static const char *arena_printf(struct demo *d, const char *fmt, ...)
{
    char buf[512];
    va_list ap;

    va_start(ap, fmt);
    if ((size_t)vsnprintf(buf, sizeof(buf), fmt, ap) >= sizeof(buf))
        KAM_BUG("demo text longer than its buffer");
    va_end(ap);
    return kam_arena_strdup(&d->arena, buf);
}

/* yuan to kam_money rounded to `decimals` places (0..4). */
static kam_money to_money(double yuan, int decimals)
{
    static const int64_t unit[] = {10000, 1000, 100, 10, 1};
    double scaled = yuan * (double)(KAM_MONEY_SCALE / unit[decimals]);
    return (kam_money)llround(scaled) * unit[decimals];
}

/* yuan rounded to a multiple of step yuan (company figures are round numbers). */
static kam_money round_money(double yuan, double step)
{
    return (kam_money)llround(yuan / step) * (kam_money)llround(step) * KAM_MONEY_SCALE;
}

static struct kam_date day_date(int64_t day)
{
    return kam_date_from_days(day);
}

/* Month index in the range of the given day. */
static int day_month(const struct demo *d, int64_t day)
{
    struct kam_date t = day_date(day);
    return kam_date_month_index(&t) - d->month0;
}

static int64_t month_first_day(const struct demo *d, int m)
{
    int idx = d->month0 + m;
    struct kam_date t = {.year = idx / 12, .month = idx % 12 + 1, .day = 1};
    return kam_date_days(&t);
}

/* Last day of month m that is not after the end date. */
static int64_t month_last_day(const struct demo *d, int m)
{
    int64_t last = month_first_day(d, m + 1) - 1;
    return last < d->end_day ? last : d->end_day;
}

static int calendar_month(const struct demo *d, int m)
{
    return (d->month0 + m) % 12; /* 0 = January */
}

static bool is_trade(int role)
{
    return role == ROLE_DISTRIBUTOR || role == ROLE_DEALER || role == ROLE_WHOLESALER ||
           role == ROLE_AGENT;
}

static int clampi(int v, int lo, int hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

static double clampd(double v, double lo, double hi)
{
    return v < lo ? lo : v > hi ? hi : v;
}

/* Number of product categories: 6 to 10, fewer only when there are fewer products. */
static int category_count(int products)
{
    int n = clampi(products / 20, 6, (int)COUNT(categories));
    return products < n ? products : n;
}

/* --- section: accounts -------------------------------------------------------------------- */

/* A valid unified social credit code (GB 32100-2015): registration authority 9 (market
 * regulation) and type 1 (enterprise), the division code of the city, an organisation code
 * with its own GB 11714 check digit, then the check character over the first 17. */
static void make_uscc(struct rng *r, const char *division, char out[20])
{
    static const char alphabet[] = "0123456789ABCDEFGHJKLMNPQRTUWXY";
    static const int org_weights[8] = {3, 7, 9, 10, 5, 8, 4, 2};
    int sum = 0, c;

    memcpy(out, "91", 2);
    memcpy(out + 2, division, 6);
    for (int i = 0; i < 8; i++) {
        /* Organisation codes are mostly digits, newer ones carry letters. */
        int v = rng_chance(r, 0.9) ? rng_below(r, 10) : 10 + rng_below(r, 21);
        out[8 + i] = alphabet[v];
        sum += v * org_weights[i];
    }
    c = 11 - sum % 11;
    out[16] = c == 10 ? 'X' : c == 11 ? '0' : (char)('0' + c);
    sum = 0;
    for (int i = 0, w = 1; i < 17; i++, w = w * 3 % 31)
        sum += (int)(strchr(alphabet, out[i]) - alphabet) * w;
    out[17] = alphabet[(31 - sum % 31) % 31];
    out[18] = '\0';
}

static int pick_city(struct rng *r)
{
    int weights[COUNT(regions)], region, n = 0, first = -1;

    for (size_t i = 0; i < COUNT(regions); i++)
        weights[i] = regions[i].weight;
    region = rng_weighted(r, weights, (int)COUNT(regions));
    for (size_t i = 0; i < COUNT(cities); i++)
        if (cities[i].region == region) {
            if (first < 0)
                first = (int)i;
            n++;
        }
    return first + rng_skewed(r, n, 1.6);
}

/* Groups: a large parent with 1-5 subsidiaries. Group 0 always has a subsidiary listed before
 * its parent, so the import must resolve a parent it has not read yet. */
static void build_groups(struct demo *d, struct rng *r)
{
    int n = d->naccts, ngroups = n >= 40 ? n / 80 + 1 : n >= 2;

    for (int g = 0; g < ngroups; g++) {
        int parent = -1, size = rng_range(r, 2, 6);
        for (int tries = 0; tries < 200 && parent < 0; tries++) {
            int i = rng_below(r, n);
            /* Group 0's parent sits in the second half so a child can come before it. */
            if (d->accts[i].group < 0 && d->accts[i].z > 0.5 && (g > 0 || i >= n / 2))
                parent = i;
        }
        if (parent < 0)
            break;
        d->accts[parent].group = g;
        for (int k = 1, tries = 0; k < size && tries < 200; tries++) {
            int i = g == 0 && k == 1 ? rng_below(r, parent > 0 ? parent : 1) : rng_below(r, n);
            if (d->accts[i].group >= 0)
                continue;
            d->accts[i].group = g;
            d->accts[i].parent = parent;
            k++;
        }
        d->ngroups = g + 1;
    }
}

/* The size, role, place, trajectory and economics of every account (no text yet). */
static void account_facts(struct demo *d, int i)
{
    struct acct *a = &d->accts[i];
    struct rng r;
    double w = exp(SIZE_SIGMA * a->z), gap_years;

    rng_init(&r, d->o.seed, STREAM_ACCOUNT_FACTS, (uint64_t)i + 1);
    a->city = pick_city(&r);
    a->traj = (enum traj)rng_weighted(&r, traj_mix, TR_COUNT);
    /* Prospects are small outsiders; the group heads and our own branches keep buying. */
    if (a->traj == TR_PROSPECT && (a->z > 0.3 || a->group >= 0))
        a->traj = TR_STABLE;
    if (a->group >= 0 && a->parent < 0 && a->traj == TR_LOST)
        a->traj = TR_DECLINING;
    if (a->role == ROLE_INTERNAL && a->traj == TR_PROSPECT)
        a->traj = TR_STABLE;
    a->payer = rng_weighted(&r, payer_mix, PAY_COUNT);
    a->english = rng_chance(&r, 1.0 / 3.0);
    a->monthly = MEDIAN_MONTHLY * w;
    /* Large accounts order more often and bigger: orders scale with the square root of size. */
    a->rate = clampd(0.8 * pow(w, 0.45), 0.12, 12.0);
    a->max_lines = clampi(3 + (int)(1.5 * log2(1.0 + w)), 2, 8);
    a->price_level =
        1.0 - clampd(0.03 + 0.025 * a->z + 0.015 * rng_normal(&r) + (is_trade(a->role) ? 0.06 : 0),
                     0.0, 0.2);
    a->first = 0;
    a->last = d->nmonths - 1;
    switch (a->traj) {
    case TR_GROWING:
        a->growth = rng_uniform(&r, 1.15, 1.5);
        break;
    case TR_DECLINING:
        a->growth = rng_uniform(&r, 0.6, 0.85);
        break;
    case TR_NEW: {
        /* Starts buying in the last year (the second half of a one-year range). */
        int window = d->nmonths > 12 ? 12 : d->nmonths / 2;
        a->first = d->nmonths - window + rng_below(&r, window > 1 ? window - 1 : 1);
        a->growth = rng_uniform(&r, 1.0, 1.3);
        break;
    }
    case TR_LOST: {
        /* Stops a year or more before the end (a quarter when the range is shorter). */
        int gap = d->nmonths >= 24 ? 12 : 3, latest = d->nmonths - 1 - gap;
        a->last = latest < 1 ? 0 : rng_range(&r, latest / 4, latest);
        a->growth = rng_uniform(&r, 0.7, 0.95);
        break;
    }
    case TR_PROSPECT:
        a->growth = 1.0;
        a->first = d->nmonths; /* never buys */
        a->last = -1;
        break;
    default:
        a->growth = rng_uniform(&r, 0.95, 1.05);
        break;
    }
    for (int k = is_trade(a->role) ? rng_range(&r, 3, 6) : rng_range(&r, 1, 3); k > 0; k--)
        a->cats |= 1u << rng_below(&r, d->ncats);
    if (a->role == ROLE_INTERNAL || a->role == ROLE_SUPPLIER)
        a->channel = CH_DIRECT;
    else if (is_trade(a->role))
        a->channel = rng_weighted(&r, (const int[]){20, 70, 10}, 3);
    else
        a->channel = rng_weighted(&r, (const int[]){65, 10, 25}, 3);
    a->terms = is_trade(a->role)
                   ? (const int[]){30, 60, 90}[rng_weighted(&r, (const int[]){20, 45, 35}, 3)]
                   : (const int[]){30, 60, 90}[rng_weighted(&r, (const int[]){45, 40, 15}, 3)];
    if (a->role == ROLE_INTERNAL) {
        a->terms = 30;
        a->payer = PAY_PROMPT;
    }
    a->level = 0;
    if ((a->z > 2.0 && rng_chance(&r, 0.5)) || (a->group >= 0 && a->parent < 0 && a->z > 1.5))
        a->level = 2;
    else if ((a->z > 1.0 && rng_chance(&r, 0.35)) || (a->z > 0 && rng_chance(&r, 0.08)) ||
             rng_chance(&r, 0.02))
        a->level = 1;
    /* What the company buys of our kind of goods in a year, from all suppliers: 1.2 to 5 times
     * what it buys from us (prospects buy it all elsewhere). */
    a->est_purchases = rng_chance(&r, 0.85)
                           ? round_money(a->monthly * 12 * rng_uniform(&r, 1.2, 5.0), 10000)
                           : KAM_NONE;
    a->annual_revenue = rng_chance(&r, 0.85)
                            ? round_money(a->monthly * 12 * rng_uniform(&r, 1.2, 5.0) *
                                              (is_trade(a->role) ? rng_uniform(&r, 1.2, 2.5)
                                                                 : rng_uniform(&r, 4.0, 20.0)),
                                          10000)
                            : KAM_NONE;
    a->capital = rng_chance(&r, 0.9) ? round_money(5e6 * pow(w, 0.8) * rng_noise(&r, 0.5) *
                                                       (a->group >= 0 && a->parent < 0 ? 3 : 1),
                                                   100000)
                                     : KAM_NONE;
    if (a->capital == 0)
        a->capital = 1000000 * (kam_money)KAM_MONEY_SCALE;
    a->employees = rng_chance(&r, 0.9)
                       ? (int64_t)llround(fmax(5, 60 * pow(w, 0.7) * rng_noise(&r, 0.5)))
                       : KAM_NONE;
    gap_years = clampd(8 + 6 * a->z + 6 * rng_normal(&r), 1, 45);
    /* Founded before its first order with us. */
    a->founded = rng_chance(&r, 0.92)
                     ? (d->month0 + (a->first < d->nmonths ? a->first : d->nmonths - 1)) / 12 -
                           (int)gap_years
                     : KAM_NONE;
    a->credit_limit =
        a->traj != TR_PROSPECT && rng_chance(&r, 0.9)
            ? round_money(fmax(10000, a->monthly * a->terms / 30.0 * rng_uniform(&r, 1.0, 1.6)),
                          10000)
            : KAM_NONE;
    a->exports = a->role != ROLE_INTERNAL && rng_chance(&r, a->english ? 0.05 : 0.02);
    a->owner = !regions[cities[a->city].region].east ? "rep-west-1"
               : rng_chance(&r, 0.5)                 ? "rep-east-1"
                                                     : "rep-east-2";
    a->status = a->traj == TR_PROSPECT                      ? "prospect"
                : a->traj == TR_LOST && rng_chance(&r, 0.5) ? "inactive"
                                                            : "active";
}

/* Roles by size; every role appears at least once, however few accounts there are. Our own
 * branches are never members of a customer group. */
static void assign_roles(struct demo *d, struct rng *r)
{
    int seen[ROLE_COUNT] = {0};

    for (int i = 0; i < d->naccts; i++) {
        struct acct *a = &d->accts[i];
        struct rng ar;
        rng_init(&ar, d->o.seed, STREAM_ACCOUNTS, (uint64_t)i + 1);
        a->role = rng_weighted(&ar, role_mix[a->z > 1.0 ? 0 : a->z < -0.5 ? 2 : 1], ROLE_COUNT);
        if (a->group >= 0 && a->role == ROLE_INTERNAL)
            a->role = ROLE_END_USER;
        seen[a->role]++;
    }
    if (d->naccts < ROLE_COUNT)
        return;
    for (int role = 0; role < ROLE_COUNT; role++) {
        for (int tries = 0; !seen[role] && tries < 1000; tries++) {
            int i = rng_below(r, d->naccts);
            if (seen[d->accts[i].role] > 1 && (role != ROLE_INTERNAL || d->accts[i].group < 0)) {
                seen[d->accts[i].role]--;
                d->accts[i].role = role;
                seen[role]++;
            }
        }
    }
}

static bool take_name(struct demo *d, const char *name, int i)
{
    return kam_strmap_add(&d->names, name, strlen(name), i, NULL);
}

static const char *const justifications[] = {
    "%s地区年采购额前%d名，合作%d年，框架协议每年续签",
    "集团化集中采购，覆盖%s%d家下属工厂；合作%d年",
    "1. 年采购额位居%s前列\n2. 合作%d年，回款记录良好\n3. 扩产计划明确，份额还可提升%d成",
    "%1$s: top %2$d account by volume, framework agreement renewed every year since %3$d",
    "Signed \"preferred supplier\" agreement (%1$s, rank %2$d); joint development since %3$d",
};

/* Names, codes and other text of account i. */
static void account_text(struct demo *d, int i)
{
    struct acct *a = &d->accts[i];
    const struct city *c = &cities[a->city];
    struct rng r;
    char uscc_buf[20];
    const struct trade *t;
    int group_brand = -1;

    rng_init(&r, d->o.seed, STREAM_ACCOUNT_TEXT, (uint64_t)i + 1);
    snprintf(a->code, sizeof(a->code), "C%06d", i + 1);
    if (a->role == ROLE_INTERNAL)
        a->english = false; /* our own branches */
    t = is_trade(a->role) ? &traders[rng_below(&r, COUNT(traders))]
                          : &makers[rng_below(&r, COUNT(makers))];
    if (a->group >= 0) {
        /* The whole group carries the trade name and the language of its parent. */
        struct rng gr;
        rng_init(&gr, d->o.seed, STREAM_ACCOUNT_TEXT, (uint64_t)d->naccts + 1 + (uint64_t)a->group);
        a->english = rng_chance(&gr, 0.3);
        group_brand = a->english ? rng_below(&gr, COUNT(brands_en)) : rng_below(&gr, COUNT(brands));
    }
    for (int tries = 0;; tries++) {
        const char *name;
        bool english = a->english;
        a->brand = group_brand >= 0 ? group_brand
                   : english        ? rng_below(&r, COUNT(brands_en))
                                    : rng_below(&r, COUNT(brands));
        if (tries > 0 && a->group >= 0) {
            /* A group keeps its trade name: vary the line of business instead. */
            t = is_trade(a->role) ? &traders[rng_below(&r, COUNT(traders))]
                                  : &makers[rng_below(&r, COUNT(makers))];
        }
        if (a->role == ROLE_INTERNAL)
            name = arena_printf(d, SELLER "%s%s", c->name,
                                internal_units[rng_below(&r, COUNT(internal_units))]);
        else if (a->group >= 0 && a->parent < 0)
            name = english ? arena_printf(d, "%s %s Group Co., Ltd.", c->en, brands_en[a->brand])
                           : arena_printf(d, "%s%s集团有限公司", c->name, brands[a->brand].zh);
        else if (a->group >= 0)
            name = english
                       ? arena_printf(d, "%s %s (%s) Co., Ltd.", brands_en[a->brand], t->en, c->en)
                       : arena_printf(d, "%s（%s）%s有限公司", brands[a->brand].zh, c->name, t->zh);
        else if (english)
            name = arena_printf(d, "%s %s %s Co., Ltd.", c->en, brands_en[a->brand], t->en);
        else
            name = arena_printf(d, "%s%s%s%s", c->name, brands[a->brand].zh, t->zh,
                                rng_chance(&r, 0.2) ? "股份有限公司" : "有限公司");
        if (tries >= 50)
            name = arena_printf(d, "%s（%s）", name, a->code); /* pools exhausted */
        if (take_name(d, name, i)) {
            a->name = name;
            break;
        }
    }
    a->industry = a->role == ROLE_INTERNAL ? "集团内部" : t->industry;
    a->uscc[0] = '\0';
    if (rng_chance(&r, 0.7)) {
        make_uscc(&r, c->division, uscc_buf);
        memcpy(a->uscc, uscc_buf, sizeof(a->uscc));
    }
    a->domain = NULL;
    if (a->role == ROLE_INTERNAL)
        a->domain = "hengyue-group.com";
    else if (rng_chance(&r, 0.78)) {
        if (a->english) {
            char word[32];
            size_t n = 0;
            for (const char *s = brands_en[a->brand]; *s && n + 1 < sizeof(word); s++)
                if (*s != ' ')
                    word[n++] = (char)(*s >= 'A' && *s <= 'Z' ? *s - 'A' + 'a' : *s);
            word[n] = '\0';
            a->domain = arena_printf(d, "%s-%s.com", word, c->pinyin);
        } else {
            a->domain = arena_printf(d, "%s%s.com.cn", brands[a->brand].pinyin,
                                     rng_chance(&r, 0.5) ? "" : c->pinyin);
        }
    }
    a->website =
        a->domain && a->role != ROLE_INTERNAL ? arena_printf(d, "www.%s", a->domain) : NULL;
    if (rng_chance(&r, 0.95)) {
        const struct road *road = &roads[rng_below(&r, COUNT(roads))];
        const struct road *zone = &zones[rng_below(&r, COUNT(zones))];
        int no = rng_range(&r, 1, 999);
        if (a->english)
            a->address = arena_printf(d, "No. %d %s, %s, %s", no, road->en, zone->en, c->en);
        else if (rng_chance(&r, 0.3))
            a->address = arena_printf(d, "%s市%s%s%d号%c栋%d室", c->name, zone->zh, road->zh, no,
                                      "ABCD"[rng_below(&r, 4)], rng_range(&r, 101, 1808));
        else
            a->address = arena_printf(d, "%s市%s%s%d号", c->name, zone->zh, road->zh, no);
    }
    a->justification = NULL;
}

/* A stated reason for the largest accounts (DOMAIN.md "Periodic review"), in the account's
 * language: these are the demo's designed key accounts, which the ratings section rates high. */
static void account_justifications(struct demo *d, const int *rank)
{
    int n = d->naccts, top = n / 33 > 0 ? n / 33 : 1;

    for (int k = 0; k < top; k++) {
        struct acct *a = &d->accts[rank[n - 1 - k]];
        struct rng r;
        rng_init(&r, d->o.seed, STREAM_ACCOUNT_TEXT, (uint64_t)d->naccts + 1 + (uint64_t)n + k);
        /* Chinese text for Chinese accounts, English for the English ones (the last two). */
        int j = a->english ? 3 + rng_below(&r, 2) : rng_below(&r, 3);
        const char *region = a->english ? cities[a->city].en : regions[cities[a->city].region].name;
        int years = rng_range(&r, 3, 15);
        switch (j) {
        case 0:
            a->justification = arena_printf(d, justifications[0], region, k + 1, years);
            break;
        case 1:
            a->justification =
                arena_printf(d, justifications[1], region, rng_range(&r, 3, 12), years);
            break;
        case 2:
            a->justification =
                arena_printf(d, justifications[2], region, years, rng_range(&r, 1, 3));
            break;
        default:
            a->justification =
                arena_printf(d, justifications[j], region, k + 1, d->end.year - years);
            break;
        }
    }
}

static void build_accounts(struct demo *d)
{
    struct rng r;
    int n = d->o.accounts, *rank = kam_xmalloc((size_t)n * sizeof(*rank)),
        *by_rank = kam_xmalloc((size_t)n * sizeof(*by_rank));

    rng_init(&r, d->o.seed, STREAM_ACCOUNTS, 0);
    d->naccts = n;
    d->accts = kam_xcalloc((size_t)n, sizeof(*d->accts));
    /* Sizes sit on the fixed quantiles of a normal distribution, in random order: the spread
     * (and so the 80:20 shape) is the same for every seed, only who is big changes. */
    for (int i = 0; i < n; i++)
        rank[i] = i;
    for (int i = n - 1; i > 0; i--) {
        int j = rng_below(&r, i + 1), t = rank[i];
        rank[i] = rank[j];
        rank[j] = t;
    }
    for (int i = 0; i < n; i++) {
        d->accts[i].z = normal_quantile((rank[i] + 0.5) / n);
        d->accts[i].group = -1;
        d->accts[i].parent = -1;
        by_rank[rank[i]] = i;
    }
    build_groups(d, &r);
    assign_roles(d, &r);
    for (int i = 0; i < n; i++)
        account_facts(d, i);
    for (int i = 0; i < n; i++)
        account_text(d, i);
    account_justifications(d, by_rank);
    d->rows[SEC_ACCOUNTS] = n;
    free(rank);
    free(by_rank);
}

/* --- section: products -------------------------------------------------------------------- */

static void build_products(struct demo *d)
{
    struct rng r;
    struct kam_strmap seen;
    int n = d->o.products;

    rng_init(&r, d->o.seed, STREAM_PRODUCTS, 0);
    kam_strmap_init(&seen);
    d->nprods = n;
    d->prods = kam_xcalloc((size_t)n, sizeof(*d->prods));
    for (int i = 0; i < n; i++) {
        struct product *p = &d->prods[i];
        /* SKUs are numbered by category, as in most item masters. */
        int c = (int)((int64_t)i * d->ncats / n), nitems = 0;
        const struct category *cat = &categories[c];
        const struct item *it;
        int spec = 0;
        char name[256];

        while (nitems < (int)COUNT(cat->items) && cat->items[nitems].pattern)
            nitems++;
        for (int tries = 0; tries < 20; tries++) {
            it = &cat->items[rng_below(&r, nitems)];
            spec = rng_range(&r, it->spec_lo, it->spec_hi);
            snprintf(name, sizeof(name), it->pattern, spec);
            if (kam_strmap_add(&seen, name, strlen(name), i, NULL))
                break;
        }
        double pos = it->spec_hi > it->spec_lo
                         ? (double)(spec - it->spec_lo) / (it->spec_hi - it->spec_lo)
                         : 0.5;
        double price = (it->price_lo + (it->price_hi - it->price_lo) * pos) * rng_noise(&r, 0.08);
        snprintf(p->sku, sizeof(p->sku), "P%04d", i + 1);
        p->name = kam_arena_strdup(&d->arena, name);
        p->category = c;
        /* List prices end in whole yuan or .50 above 20 yuan, in .90 below. */
        p->list_price = price >= 20 ? to_money(round(price * 2) / 2, 2) : to_money(price, 1);
        if (p->list_price <= 0)
            p->list_price = to_money(1, 0);
        p->std_cost = to_money(
            kam_money_to_double(p->list_price) * rng_uniform(&r, cat->cost_lo, cat->cost_hi), 2);
    }
    kam_strmap_release(&seen);
    d->rows[SEC_PRODUCTS] = n;
}

/* --- section: contacts -------------------------------------------------------------------- */

static void build_contacts(struct demo *d)
{
    for (int i = 0; i < d->naccts; i++) {
        const struct acct *a = &d->accts[i];
        struct rng r;
        size_t first = d->ncontacts;
        int max = clampi(3 + (int)floor(a->z + 0.5), 2, 5), n, used[COUNT(titles)] = {0};
        int title_of[5];

        rng_init(&r, d->o.seed, STREAM_CONTACTS, (uint64_t)i);
        n = rng_range(&r, max > 2 ? max - 2 : 1, max);
        for (int k = 0; k < n; k++) {
            struct contact *c;
            int t, sur, g1, g2 = -1;
            char name[32];

            /* The head first, then the buyer, then whoever else we know. */
            if (k == 0)
                t = 0;
            else if (k == 1)
                t = a->z > 1 ? 2 : 1;
            else
                do
                    t = rng_range(&r, 1, (int)COUNT(titles) - 1);
                while (used[t]);
            used[t] = 1;
            title_of[k] = t;
            for (;;) {
                sur = rng_skewed(&r, COUNT(surnames), 1.7);
                g1 = rng_below(&r, COUNT(given));
                g2 = rng_chance(&r, 0.6) ? rng_below(&r, COUNT(given)) : -1;
                snprintf(name, sizeof(name), "%s%s%s", surnames[sur].zh, given[g1].zh,
                         g2 >= 0 ? given[g2].zh : "");
                bool dup = false;
                for (size_t j = first; j < d->ncontacts; j++)
                    dup |= strcmp(d->contacts[j].name, name) == 0;
                if (!dup)
                    break;
            }
            d->contacts =
                grow(d->contacts, &d->contacts_cap, d->ncontacts + 1, sizeof(*d->contacts));
            c = &d->contacts[d->ncontacts++];
            c->acct = i;
            c->name = kam_arena_strdup(&d->arena, name);
            c->title = titles[t].title;
            c->dept = titles[t].dept;
            c->boss = -1;
            if (k > 0 && rng_chance(&r, 0.92)) {
                /* Nearest higher level of the same department, else the head. */
                int best = 0, best_level = -1;
                for (int j = 1; j < k; j++) {
                    const struct title *tj = &titles[title_of[j]];
                    if (strcmp(tj->dept, titles[t].dept) == 0 && tj->level < titles[t].level &&
                        tj->level > best_level) {
                        best = j;
                        best_level = tj->level;
                    }
                }
                c->boss = (int)(first + (size_t)best);
            }
            c->phone = rng_chance(&r, 0.9)
                           ? arena_printf(d, "%s%08d",
                                          mobile_prefixes[rng_below(&r, COUNT(mobile_prefixes))],
                                          rng_below(&r, 100000000))
                           : NULL;
            if (!rng_chance(&r, 0.85))
                c->email = NULL;
            else if (a->domain != NULL)
                c->email =
                    arena_printf(d, "%s%s.%s@%s", given[g1].pinyin, g2 >= 0 ? given[g2].pinyin : "",
                                 surnames[sur].pinyin, a->domain);
            else
                c->email = arena_printf(d, "%s%s%s%d@%s", surnames[sur].pinyin, given[g1].pinyin,
                                        g2 >= 0 ? given[g2].pinyin : "", rng_range(&r, 10, 9999),
                                        mail_hosts[rng_below(&r, COUNT(mail_hosts))]);
        }
    }
    d->rows[SEC_CONTACTS] = (int64_t)d->ncontacts;
}

/* --- section: orders ---------------------------------------------------------------------- */

static int pick_product(const struct demo *d, struct rng *r, const struct acct *a)
{
    int c = -1;

    if (a->cats != 0 && rng_chance(r, 0.85)) {
        int k = rng_below(r, __builtin_popcount(a->cats));
        for (c = 0; c < d->ncats; c++)
            if ((a->cats >> c & 1u) && k-- == 0)
                break;
    }
    if (c < 0 || c >= d->ncats)
        c = rng_below(r, d->ncats);
    /* Products of category c are the block [lo, hi); the first are the best sellers. */
    int lo = (int)(((int64_t)c * d->nprods + d->ncats - 1) / d->ncats);
    int hi = (int)(((int64_t)(c + 1) * d->nprods + d->ncats - 1) / d->ncats);
    if (hi <= lo)
        return rng_below(r, d->nprods);
    return lo + rng_skewed(r, hi - lo, 2.0);
}

static struct order *add_order(struct demo *d, int64_t day, int acct, int channel, bool ret)
{
    struct order *o;

    d->orders = grow(d->orders, &d->orders_cap, d->norders + 1, sizeof(*d->orders));
    o = &d->orders[d->norders];
    o->day = day;
    o->acct = acct;
    o->channel = channel;
    o->seq = (uint32_t)d->norders++;
    o->first_line = (uint32_t)d->nlines;
    o->nlines = 0;
    o->is_return = ret;
    return o;
}

static kam_money add_line(struct demo *d, struct order *o, const struct line *l)
{
    d->lines = grow(d->lines, &d->lines_cap, d->nlines + 1, sizeof(*d->lines));
    d->lines[d->nlines++] = *l;
    o->nlines++;
    return l->quantity * l->unit_price - l->discount;
}

/* A weekday of month m, up to the end date: fewer orders come in on Sundays. */
static int64_t order_day(const struct demo *d, struct rng *r, int m)
{
    int64_t first = month_first_day(d, m), last = month_last_day(d, m), day = first;

    for (int tries = 0; tries < 2; tries++) {
        day = first + rng_below(r, (int)(last - first + 1));
        if (((day % 7) + 7 + 4) % 7 != 0) /* 1970-01-01 was a Thursday; 0 = Sunday */
            break;
    }
    return day;
}

struct pending_return {
    int64_t day;
    struct line line;
};

/* One sales order of account ai in month m, and the returns it later causes. */
static void make_order(struct demo *d, struct rng *r, int ai, int m, kam_money *month_net)
{
    struct acct *a = &d->accts[ai];
    int64_t day = order_day(d, r, m);
    int nl = 1 + rng_below(r, a->max_lines), used[8], nret = 0;
    int channel = rng_chance(r, 0.1) ? CH_ONLINE : a->channel;
    double value = a->monthly / a->rate * rng_noise(r, 0.4);
    struct pending_return rets[8];
    struct order *o = add_order(d, day, ai, channel, false);

    for (int k = 0; k < nl; k++) {
        struct line l = {0};
        const struct product *p;
        double price, list;
        int pi = pick_product(d, r, a);

        for (int tries = 0; tries < 4; tries++) {
            bool dup = false;
            for (int j = 0; j < k; j++)
                dup |= used[j] == pi;
            if (!dup)
                break;
            pi = pick_product(d, r, a);
        }
        used[k] = pi;
        p = &d->prods[pi];
        list = kam_money_to_double(p->list_price);
        /* Around the negotiated level, now and then a promotion price. */
        price = list * a->price_level * (1.0 + 0.015 * rng_normal(r));
        if (rng_chance(r, 0.05))
            price *= rng_uniform(r, 0.85, 0.95);
        l.product = pi;
        l.unit_price = to_money(price, 2);
        if (l.unit_price <= 0)
            l.unit_price = to_money(0.01, 2);
        l.quantity = llround(value / nl * rng_uniform(r, 0.5, 1.5) / price);
        if (l.quantity < 1)
            l.quantity = 1;
        if (l.quantity > 100000)
            l.quantity = 100000;
        l.unit_cost = to_money(kam_money_to_double(p->std_cost) * rng_uniform(r, 0.97, 1.03), 2);
        if (rng_chance(r, 0.07))
            l.discount = to_money(
                kam_money_to_double(l.quantity * l.unit_price) * rng_uniform(r, 0.02, 0.10), 2);
        kam_money amount = add_line(d, o, &l);
        a->net += amount;
        month_net[m] += amount;
        if (rng_chance(r, 0.02)) {
            /* Returned later, on an order of its own: part or all of the line, no discount. */
            struct pending_return *pr = &rets[nret];
            pr->day = day + rng_range(r, 3, 45);
            pr->line = l;
            pr->line.discount = 0;
            pr->line.quantity = -(int64_t)llround(fmax(1.0, l.quantity * rng_uniform(r, 0.1, 1)));
            if (pr->day <= d->end_day)
                nret++;
        }
    }
    for (int k = 0; k < nret; k++) {
        struct order *ro = add_order(d, rets[k].day, ai, channel, true);
        kam_money amount = add_line(d, ro, &rets[k].line);
        a->net += amount;
        month_net[day_month(d, rets[k].day)] += amount;
    }
}

/* Orders a month: the trajectory's yearly factor, centred on the middle of the range so that
 * `monthly` stays the account's average, a ramp-up for new accounts and a fade for lost ones. */
static double month_factor(const struct demo *d, const struct acct *a, int m)
{
    double f = season[calendar_month(d, m)] * pow(a->growth, (m - (d->nmonths - 1) / 2.0) / 12.0);

    if (a->traj == TR_NEW && m - a->first < 3)
        f *= 0.4 + 0.2 * (m - a->first);
    if (a->traj == TR_LOST && a->last - m < 4)
        f *= 0.5 + 0.1 * (a->last - m);
    return f;
}

static int order_cmp(const void *x, const void *y)
{
    const struct order *a = x, *b = y;

    if (a->day != b->day)
        return a->day < b->day ? -1 : 1;
    if (a->acct != b->acct)
        return a->acct < b->acct ? -1 : 1;
    return a->seq < b->seq ? -1 : a->seq > b->seq;
}

static void build_orders(struct demo *d)
{
    kam_money *month_net = kam_xcalloc((size_t)d->nmonths, sizeof(*month_net));

    for (int ai = 0; ai < d->naccts; ai++) {
        struct acct *a = &d->accts[ai];
        struct rng r;

        rng_init(&r, d->o.seed, STREAM_ORDERS, (uint64_t)ai);
        memset(month_net, 0, (size_t)d->nmonths * sizeof(*month_net));
        for (int m = a->first; m <= a->last; m++)
            for (int k = rng_poisson(&r, a->rate * month_factor(d, a, m)); k > 0; k--)
                make_order(d, &r, ai, m, month_net);
        /* One statement a month with the month's net; a month of returns only is credited on
         * a later statement, which the demo leaves out. */
        for (int m = 0; m < d->nmonths; m++) {
            struct invoice *inv;
            if (month_net[m] <= 0)
                continue;
            d->invoices =
                grow(d->invoices, &d->invoices_cap, d->ninvoices + 1, sizeof(*d->invoices));
            inv = &d->invoices[d->ninvoices++];
            memset(inv, 0, sizeof(*inv));
            inv->acct = ai;
            inv->month = m;
            inv->amount = month_net[m];
        }
    }
    free(month_net);
    qsort(d->orders, d->norders, sizeof(*d->orders), order_cmp);
    d->rows[SEC_ORDERS] = (int64_t)d->nlines;
}

/* --- section: payments -------------------------------------------------------------------- */

static int invoice_cmp(const void *x, const void *y)
{
    const struct invoice *a = x, *b = y;

    if (a->issued != b->issued)
        return a->issued < b->issued ? -1 : 1;
    if (a->acct != b->acct)
        return a->acct < b->acct ? -1 : 1;
    return (a->month > b->month) - (a->month < b->month);
}

static void build_payments(struct demo *d)
{
    struct rng r;
    int cur = -1;

    for (size_t k = 0; k < d->ninvoices; k++) {
        struct invoice *inv = &d->invoices[k];
        const struct acct *a = &d->accts[inv->acct];
        double p = 0;

        if (inv->acct != cur) {
            cur = inv->acct;
            rng_init(&r, d->o.seed, STREAM_PAYMENTS, (uint64_t)cur);
        }
        inv->issued = month_last_day(d, inv->month);
        inv->due = inv->issued + a->terms;
        inv->paid_amount = inv->amount;
        inv->paid = inv->issued + rng_range(&r, a->terms / 3, a->terms); /* on time */
        p = rng_unit(&r);
        switch (a->payer) {
        case PAY_PROMPT:
            if (p < 0.07)
                inv->paid = inv->due + rng_range(&r, 1, 20);
            break;
        case PAY_LATE:
            if (p < 0.45)
                inv->paid = inv->due + rng_range(&r, 5, 60);
            break;
        default:
            if (p < 0.5) {
                inv->paid = inv->due + rng_range(&r, 20, 150);
            } else if (p < 0.7) {
                inv->paid = inv->due + rng_range(&r, 0, 60);
                inv->paid_amount =
                    to_money(kam_money_to_double(inv->amount) * rng_uniform(&r, 0.3, 0.9), 2);
            }
            break;
        }
        /* A lost account often leaves its last statements unpaid. */
        if (a->traj == TR_LOST && inv->month >= a->last - 1 && rng_chance(&r, 0.5))
            inv->paid = -1;
        if (inv->paid > d->end_day)
            inv->paid = -1;
    }
    qsort(d->invoices, d->ninvoices, sizeof(*d->invoices), invoice_cmp);
    d->rows[SEC_PAYMENTS] = (int64_t)d->ninvoices;
}

/* --- section: tags ------------------------------------------------------------------------ */

struct ranked {
    kam_money net;
    int acct;
};

static int ranked_cmp(const void *x, const void *y)
{
    const struct ranked *a = x, *b = y;

    if (a->net != b->net)
        return a->net > b->net ? -1 : 1;
    return (a->acct > b->acct) - (a->acct < b->acct);
}

static void add_tag(struct demo *d, int acct, enum tag t)
{
    d->tags = grow(d->tags, &d->tags_cap, d->ntags + 1, sizeof(*d->tags));
    d->tags[d->ntags].acct = acct;
    d->tags[d->ntags].tag = t;
    d->ntags++;
}

static void build_tags(struct demo *d)
{
    int n = d->naccts, top;
    struct ranked *order = kam_xmalloc((size_t)n * sizeof(*order));
    bool *strategic = kam_xcalloc((size_t)n, sizeof(*strategic));
    bool *slow = kam_xcalloc((size_t)n, sizeof(*slow));

    /* The top 3 % by net revenue are the strategic accounts. */
    for (int i = 0; i < n; i++) {
        order[i].net = d->accts[i].net;
        order[i].acct = i;
    }
    qsort(order, (size_t)n, sizeof(*order), ranked_cmp);
    top = n * 3 / 100 > 0 ? n * 3 / 100 : 1;
    for (int k = 0; k < top && k < n; k++)
        if (order[k].net > 0)
            strategic[order[k].acct] = true;
    for (size_t k = 0; k < d->ninvoices; k++) {
        const struct invoice *inv = &d->invoices[k];
        if (inv->paid < 0 ? inv->due < d->end_day : inv->paid > inv->due + 30)
            slow[inv->acct] |= d->accts[inv->acct].payer == PAY_POOR;
    }
    for (int i = 0; i < n; i++) {
        const struct acct *a = &d->accts[i];
        if (strategic[i])
            add_tag(d, i, TAG_STRATEGIC);
        if (a->traj == TR_DECLINING)
            add_tag(d, i, TAG_CHURN_RISK);
        if (a->traj == TR_NEW)
            add_tag(d, i, TAG_NEW);
        if (a->group >= 0)
            add_tag(d, i, TAG_GROUP);
        if (a->exports)
            add_tag(d, i, TAG_EXPORT);
        if (slow[i])
            add_tag(d, i, TAG_SLOW_PAYER);
    }
    free(order);
    free(strategic);
    free(slow);
    d->rows[SEC_TAGS] = (int64_t)d->ntags;
}

/* --- section: ratings --------------------------------------------------------------------- */

/* The ratings of the default model, in its order. */
enum { R_GROWTH, R_PEOPLE, R_RELATION, R_STRATEGIC, R_FULFIL, R_COUNT };
static const char *const rating_names[R_COUNT] = {
    "growth_potential", "key_people_access", "relationship_state", "strategic_value", "fulfilment",
};

static void add_rating(struct demo *d, int acct, int name, int value, const char *note)
{
    d->ratings = grow(d->ratings, &d->ratings_cap, d->nratings + 1, sizeof(*d->ratings));
    d->ratings[d->nratings++] = (struct rating){acct, name, clampi(value, 1, 5), note};
}

static int by_size(const void *x, const void *y)
{
    const struct acct *a = *(const struct acct *const *)x, *b = *(const struct acct *const *)y;
    return (a->z < b->z) - (a->z > b->z); /* largest first; the quantiles are distinct */
}

/* What the account owners would enter (DOMAIN.md "Scoring model", static rules): the accounts
 * the demo designed as key accounts (the largest 3 %, the ones with a justification) are rated
 * high, lower when they are shrinking or lost; the next ones by size, up to a fifth of the
 * accounts (the major tier of the default model is the next 15 %), get a spread around the
 * middle of the scale. Fulfilment (the partner indicators) is rated for resellers only, as the
 * default model expects. Everyone else is left unrated: the model's missing rules apply. */
static void build_ratings(struct demo *d)
{
    int n = d->naccts, top = n / 33 > 0 ? n / 33 : 1, band = n / 5 > top ? n / 5 : top;
    const struct acct **order = kam_xmalloc((size_t)n * sizeof(*order));

    for (int i = 0; i < n; i++)
        order[i] = &d->accts[i];
    qsort(order, (size_t)n, sizeof(*order), by_size);
    for (int k = 0; k < band; k++) {
        const struct acct *a = order[k];
        int i = (int)(a - d->accts);
        bool key = k < top;
        struct rng r;
        /* How the relationship is going, from the trajectory the orders follow. */
        int trend = a->traj == TR_GROWING || a->traj == TR_NEW ? 1
                    : a->traj == TR_DECLINING                  ? -1
                    : a->traj == TR_LOST                       ? -2
                                                               : 0;
        int base = key ? 4 : 3;
        const char *note = NULL;

        rng_init(&r, d->o.seed, STREAM_RATINGS, (uint64_t)i + 1);
        if (key)
            note = a->english ? arena_printf(d, "%d key account review", d->end.year)
                              : arena_printf(d, "%d年度大客户盘点", d->end.year);
        add_rating(d, i, R_GROWTH, base + (trend > 0) - (trend < 0) + (trend < -1), note);
        add_rating(d, i, R_PEOPLE,
                   base + (a->level > 0 && rng_chance(&r, 0.6)) - (trend < -1) +
                       (key ? 0 : rng_range(&r, -1, 1)),
                   note);
        add_rating(d, i, R_RELATION,
                   base + (a->level == 2) + (trend < 0 ? trend : 0) +
                       (key ? 0 : rng_range(&r, -1, 0)),
                   note);
        add_rating(d, i, R_STRATEGIC,
                   base + (a->level == 2 || (a->group >= 0 && a->parent < 0)) +
                       (key ? rng_chance(&r, 0.3) : rng_range(&r, -1, 0)),
                   note);
        if (is_trade(a->role))
            add_rating(d, i, R_FULFIL,
                       (a->payer == PAY_PROMPT ? 4
                        : a->payer == PAY_LATE ? 3
                                               : 2) +
                           (key && a->payer == PAY_PROMPT) + rng_range(&r, -1, 0) * !key,
                       note);
    }
    free(order);
    d->rows[SEC_RATINGS] = (int64_t)d->nratings;
}

/* --- CSV output --------------------------------------------------------------------------- */

struct csv {
    FILE *f;
    int col;
};

static void csv_text(struct csv *w, const char *s)
{
    if (w->col++ > 0)
        putc(',', w->f);
    if (s == NULL)
        return;
    if (strpbrk(s, ",\"\r\n") == NULL) {
        fputs(s, w->f);
        return;
    }
    /* RFC 4180: quote the field and double the quotes inside. */
    putc('"', w->f);
    for (; *s; s++) {
        if (*s == '"')
            putc('"', w->f);
        putc(*s, w->f);
    }
    putc('"', w->f);
}

static void csv_money(struct csv *w, kam_money v)
{
    char buf[32];
    csv_text(w, v == KAM_NONE ? NULL : kam_money_str(v, buf, sizeof(buf)));
}

static void csv_int(struct csv *w, int64_t v)
{
    char buf[32];
    snprintf(buf, sizeof(buf), "%lld", (long long)v);
    csv_text(w, v == KAM_NONE ? NULL : buf);
}

static void csv_date(struct csv *w, int64_t day)
{
    char buf[KAM_DATE_STRLEN];
    struct kam_date t = day_date(day);
    csv_text(w, day < 0 ? NULL : kam_date_str(&t, buf, sizeof(buf)));
}

static void csv_end(struct csv *w)
{
    putc('\n', w->f);
    w->col = 0;
}

static void write_accounts(const struct demo *d, struct csv *w)
{
    for (int i = 0; i < d->naccts; i++) {
        const struct acct *a = &d->accts[i];
        const struct city *c = &cities[a->city];
        csv_text(w, a->code);
        csv_text(w, a->name);
        csv_text(w, kam_role_names[a->role]);
        csv_text(w, a->uscc);
        csv_text(w, a->industry);
        csv_text(w, regions[c->region].name);
        csv_text(w, "中国");
        csv_text(w, c->name);
        csv_text(w, a->parent >= 0 ? d->accts[a->parent].code : NULL);
        csv_text(w, a->owner);
        csv_text(w, a->status);
        csv_text(w, kam_level_names[a->level]);
        csv_money(w, a->capital);
        csv_int(w, a->employees);
        csv_money(w, a->annual_revenue);
        csv_int(w, a->founded);
        csv_text(w, a->website);
        csv_text(w, a->address);
        csv_money(w, a->est_purchases);
        csv_money(w, a->credit_limit);
        csv_text(w, a->justification);
        csv_end(w);
    }
}

static void write_ratings(const struct demo *d, struct csv *w)
{
    for (size_t k = 0; k < d->nratings; k++) {
        const struct rating *r = &d->ratings[k];
        csv_text(w, d->accts[r->acct].code);
        csv_text(w, rating_names[r->name]);
        csv_int(w, r->value);
        csv_text(w, r->note);
        csv_end(w);
    }
}

static void write_products(const struct demo *d, struct csv *w)
{
    for (int i = 0; i < d->nprods; i++) {
        const struct product *p = &d->prods[i];
        csv_text(w, p->sku);
        csv_text(w, p->name);
        csv_text(w, categories[p->category].name);
        csv_money(w, p->list_price);
        csv_money(w, p->std_cost);
        csv_end(w);
    }
}

static void write_contacts(const struct demo *d, struct csv *w)
{
    for (size_t i = 0; i < d->ncontacts; i++) {
        const struct contact *c = &d->contacts[i];
        csv_text(w, d->accts[c->acct].code);
        csv_text(w, c->name);
        csv_text(w, c->title);
        csv_text(w, c->dept);
        csv_text(w, c->phone);
        csv_text(w, c->email);
        csv_text(w, c->boss >= 0 ? d->contacts[c->boss].name : NULL);
        csv_end(w);
    }
}

/* Order numbers run per year in date order: SO2024000001, returns RT2024000001. */
static void write_orders(const struct demo *d, struct csv *w)
{
    int year = 0;
    long seq[2] = {0, 0};

    for (size_t i = 0; i < d->norders; i++) {
        const struct order *o = &d->orders[i];
        const struct acct *a = &d->accts[o->acct];
        struct kam_date t = day_date(o->day);
        char id[48];

        if (t.year != year) {
            year = t.year;
            seq[0] = seq[1] = 0;
        }
        snprintf(id, sizeof(id), "%s%04d%06ld", o->is_return ? "RT" : "SO", year,
                 ++seq[o->is_return]);
        for (int k = 0; k < o->nlines; k++) {
            const struct line *l = &d->lines[o->first_line + (uint32_t)k];
            csv_text(w, id);
            csv_int(w, k + 1);
            csv_date(w, o->day);
            csv_text(w, a->code);
            csv_text(w, d->prods[l->product].sku);
            csv_int(w, l->quantity);
            csv_money(w, l->unit_price);
            csv_text(w, NULL); /* amount: the import derives quantity * unit_price - discount */
            csv_money(w, l->unit_cost);
            csv_money(w, l->discount);
            csv_text(w, channels[o->channel]);
            csv_text(w, regions[cities[a->city].region].name);
            csv_end(w);
        }
    }
}

static void write_payments(const struct demo *d, struct csv *w)
{
    int year = 0;
    long seq = 0;

    for (size_t i = 0; i < d->ninvoices; i++) {
        const struct invoice *inv = &d->invoices[i];
        struct kam_date t = day_date(inv->issued);
        char id[48];

        if (t.year != year) {
            year = t.year;
            seq = 0;
        }
        snprintf(id, sizeof(id), "INV%04d%06ld", year, ++seq);
        csv_text(w, id);
        csv_text(w, d->accts[inv->acct].code);
        csv_money(w, inv->amount);
        csv_date(w, inv->issued);
        csv_date(w, inv->due);
        csv_date(w, inv->paid);
        csv_money(w, inv->paid < 0 ? KAM_NONE : inv->paid_amount);
        csv_end(w);
    }
}

/* --- store-only sections ------------------------------------------------------------------ */

struct code_ids {
    struct kam_strmap map;
};

static int collect_id(void *ctx, const char *key, size_t len, int64_t id)
{
    kam_strmap_put(&((struct code_ids *)ctx)->map, key, len, id);
    return 0;
}

/* Adds the tag links in one transaction. */
static enum kam_rc apply_tags(const struct demo *d, struct kam_store *st, struct kam_err *err)
{
    struct code_ids ids;
    enum kam_rc rc;
    bool open = false;

    kam_strmap_init(&ids.map);
    rc = st->ops->keys(st, &kam_accounts, collect_id, &ids, err);
    if (rc != KAM_OK)
        goto out;
    rc = st->ops->begin(st, err);
    if (rc != KAM_OK)
        goto out;
    open = true;
    for (size_t k = 0; k < d->ntags; k++) {
        const char *code = d->accts[d->tags[k].acct].code;
        int64_t id;
        if (!kam_strmap_get(&ids.map, code, strlen(code), &id)) {
            rc = kam_err_set(err, KAM_ERR_NOT_FOUND,
                             "demo account '%s' is missing after the import", code);
            goto out;
        }
        rc = st->ops->tag_add(st, id, tag_defs[d->tags[k].tag].name, tag_defs[d->tags[k].tag].color,
                              err);
        if (rc != KAM_OK)
            goto out;
    }
    rc = st->ops->commit(st, err);
    open = rc != KAM_OK;
out:
    if (open) {
        /* The first error is the one to report; a failed rollback leaves nothing committed. */
        struct kam_err ignored;
        kam_err_clear(&ignored);
        (void)st->ops->rollback(st, &ignored);
    }
    kam_strmap_release(&ids.map);
    return rc;
}

/* --- users (schema 3) --------------------------------------------------------------------- */

/* The demo logins of docs/users.md: one per role, teams east and west, and the reps who own the
 * accounts (account_facts: 华东, 华北 and 东北 to the east reps, the rest to rep-west-1). No
 * randomness: the users are the same for every seed. Their password hashes are salted, so they
 * differ on every run; they are not part of the CSV files whose bytes the seed fixes. */
#define DEMO_PASSWORD "kam-demo"
#define DEMO_ACTOR    "demo"

static const char *const demo_teams[] = {"east", "west"};

static const struct demo_user {
    const char *username, *display_name;
    enum kam_role role;
    const char *team;
} demo_users[] = {
    {"admin", "系统管理员", KAM_ROLE_ADMIN, NULL},
    {"director", "销售总监", KAM_ROLE_DIRECTOR, NULL},
    {"manager-east", "东区经理", KAM_ROLE_MANAGER, "east"},
    {"manager-west", "西区经理", KAM_ROLE_MANAGER, "west"},
    {"rep-east-1", "东区客户经理一", KAM_ROLE_REP, "east"},
    {"rep-east-2", "东区客户经理二", KAM_ROLE_REP, "east"},
    {"rep-west-1", "西区客户经理", KAM_ROLE_REP, "west"},
};

static void build_users(struct demo *d)
{
    d->rows[SEC_USERS] = (int64_t)COUNT(demo_users);
}

/* Adds the teams and users that are missing; users already there keep their password, so that
 * running `kam demo` again does not undo a `kam user passwd`. Each write is audited (actor
 * "demo"). Hashing costs about 0.1 s per user (Argon2id, interactive limits). */
static enum kam_rc apply_users(const struct demo *d, struct kam_store *st, struct kam_err *err)
{
    enum kam_rc rc = KAM_OK;
    (void)d;

    for (size_t i = 0; rc == KAM_OK && i < COUNT(demo_teams); i++) {
        rc = kam_users_team_add(st, DEMO_ACTOR, demo_teams[i], NULL, err);
        if (rc == KAM_ERR_EXISTS)
            rc = KAM_OK;
    }
    for (size_t i = 0; rc == KAM_OK && i < COUNT(demo_users); i++) {
        const struct demo_user *du = &demo_users[i];
        struct kam_user u = {0};
        rc = st->ops->user_get(st, du->username, &u, err);
        if (rc != KAM_ERR_NOT_FOUND)
            continue;
        memset(&u, 0, sizeof(u));
        snprintf(u.username, sizeof(u.username), "%s", du->username);
        snprintf(u.display_name, sizeof(u.display_name), "%s", du->display_name);
        snprintf(u.team, sizeof(u.team), "%s", du->team ? du->team : "");
        u.role = du->role;
        rc = kam_users_add(st, DEMO_ACTOR, &u, DEMO_PASSWORD, strlen(DEMO_PASSWORD), NULL, err);
    }
    if (rc == KAM_OK && err != NULL)
        kam_err_clear(err);
    return rc;
}

/* --- the sections ------------------------------------------------------------------------- */

/* The demo, in build and import order. A section builds its part of the model from its own
 * random stream, then either writes a CSV file that kam_import_run reads (header = the column
 * names of core/record.c, so no mapping is needed) or applies itself to the store directly.
 * To add one (visits, opportunities, ...): add its arrays to struct demo, a build function with
 * a new stream number, a writer or an apply function, a row here and a count in the report. */
struct section {
    const char *name; /* file name without ".csv" */
    void (*build)(struct demo *d);
    const char *header; /* NULL: applied to the store, no file */
    void (*write)(const struct demo *d, struct csv *w);
    enum kam_import_kind kind;
    enum kam_rc (*apply)(const struct demo *d, struct kam_store *st, struct kam_err *err);
    size_t report; /* offset of its count in struct kam_demo_report */
};

static const struct section sections[SEC_COUNT] = {
    [SEC_ACCOUNTS] = {"accounts", build_accounts,
                      "code,name,role,uscc,industry,region,country,city,parent,owner,status,level,"
                      "registered_capital,employees,annual_revenue,founded,website,address,"
                      "est_annual_purchases,credit_limit,justification",
                      write_accounts, KAM_IMPORT_ACCOUNTS, NULL,
                      offsetof(struct kam_demo_report, accounts)},
    [SEC_PRODUCTS] = {"products", build_products, "sku,name,category,list_price,std_cost",
                      write_products, KAM_IMPORT_PRODUCTS, NULL,
                      offsetof(struct kam_demo_report, products)},
    [SEC_CONTACTS] = {"contacts", build_contacts,
                      "account,name,title,department,phone,email,reports_to", write_contacts,
                      KAM_IMPORT_CONTACTS, NULL, offsetof(struct kam_demo_report, contacts)},
    [SEC_ORDERS] = {"orders", build_orders,
                    "order_id,line_no,date,account,product,quantity,unit_price,amount,unit_cost,"
                    "discount,channel,region",
                    write_orders, KAM_IMPORT_ORDERS, NULL,
                    offsetof(struct kam_demo_report, order_lines)},
    [SEC_PAYMENTS] = {"payments", build_payments,
                      "invoice,account,amount,issued,due,paid,paid_amount", write_payments,
                      KAM_IMPORT_PAYMENTS, NULL, offsetof(struct kam_demo_report, payments)},
    [SEC_TAGS] = {"tags", build_tags, NULL, NULL, KAM_IMPORT_KIND_COUNT, apply_tags,
                  offsetof(struct kam_demo_report, tagged)},
    [SEC_RATINGS] = {"ratings", build_ratings, "account,rating,value,note", write_ratings,
                     KAM_IMPORT_RATINGS, NULL, offsetof(struct kam_demo_report, ratings)},
    [SEC_USERS] = {"users", build_users, NULL, NULL, KAM_IMPORT_KIND_COUNT, apply_users,
                   offsetof(struct kam_demo_report, users)},
};

/* --- building, writing, importing ---------------------------------------------------------- */

static enum kam_rc check_opts(const struct kam_demo_opts *o, struct kam_date *end,
                              struct kam_err *err)
{
    static const struct {
        const char *name;
        size_t offset;
        int max;
    } limits[] = {
        {"accounts", offsetof(struct kam_demo_opts, accounts), KAM_DEMO_MAX_ACCOUNTS},
        {"products", offsetof(struct kam_demo_opts, products), KAM_DEMO_MAX_PRODUCTS},
        {"years", offsetof(struct kam_demo_opts, years), KAM_DEMO_MAX_YEARS},
    };
    const char *s = o->end_date ? o->end_date : "2025-12-31";
    struct kam_err perr;

    for (size_t i = 0; i < COUNT(limits); i++) {
        int v = *(const int *)((const char *)o + limits[i].offset);
        if (v < 1)
            return kam_err_set(err, KAM_ERR_USAGE, "demo %s must be at least 1, got %d",
                               limits[i].name, v);
        if (v > limits[i].max)
            return kam_err_set(err, KAM_ERR_TOO_LARGE, "demo %s must be at most %d, got %d",
                               limits[i].name, limits[i].max, v);
    }
    if ((int64_t)o->accounts * o->years > KAM_DEMO_MAX_ACCOUNT_YEARS)
        return kam_err_set(err, KAM_ERR_TOO_LARGE,
                           "demo of %d accounts over %d years is too large: accounts * years "
                           "must be at most %d",
                           o->accounts, o->years, KAM_DEMO_MAX_ACCOUNT_YEARS);
    kam_err_clear(&perr);
    if (kam_date_parse_iso(s, strlen(s), end, &perr) != KAM_OK || end->has_time)
        return kam_err_set(err, KAM_ERR_USAGE, "demo end date '%s' is not a date: use YYYY-MM-DD",
                           s);
    if (end->year - o->years < 1971)
        return kam_err_set(err, KAM_ERR_USAGE,
                           "demo end date '%s' is too early for %d years of orders", s, o->years);
    return KAM_OK;
}

static void demo_free(struct demo *d)
{
    free(d->accts);
    free(d->prods);
    free(d->contacts);
    free(d->orders);
    free(d->lines);
    free(d->invoices);
    free(d->tags);
    free(d->ratings);
    kam_strmap_release(&d->names);
    kam_arena_release(&d->arena);
}

static enum kam_rc demo_build(struct demo *d, const struct kam_demo_opts *o, struct kam_err *err)
{
    enum kam_rc rc;

    memset(d, 0, sizeof(*d));
    kam_arena_init(&d->arena);
    kam_strmap_init(&d->names);
    rc = check_opts(o, &d->end, err);
    if (rc != KAM_OK)
        return rc;
    d->o = *o;
    d->end_day = kam_date_days(&d->end);
    d->nmonths = 12 * o->years;
    d->month0 = kam_date_month_index(&d->end) - d->nmonths + 1;
    d->ncats = category_count(o->products);
    for (int s = 0; s < SEC_COUNT; s++)
        sections[s].build(d);
    return KAM_OK;
}

static void section_path(const char *dir, const struct section *s, const char *suffix, char *buf,
                         size_t n)
{
    if ((size_t)snprintf(buf, n, "%s/%s.csv%s", dir, s->name, suffix) >= n)
        KAM_BUG("demo path longer than its buffer"); /* callers check the directory's length */
}

static enum kam_rc write_section(const struct demo *d, const struct section *s, const char *dir,
                                 struct kam_err *err)
{
    char path[4096], tmp[4096];
    struct csv w = {NULL, 0};
    int failed;

    section_path(dir, s, "", path, sizeof(path));
    section_path(dir, s, ".tmp", tmp, sizeof(tmp));
    w.f = fopen(tmp, "w");
    if (w.f == NULL)
        return kam_err_set(err, KAM_ERR_IO, "cannot create '%s': %s", tmp, strerror(errno));
    fputs(s->header, w.f);
    fputc('\n', w.f);
    s->write(d, &w);
    failed = ferror(w.f);
    if (fclose(w.f) != 0)
        failed = 1;
    if (!failed && rename(tmp, path) == 0)
        return KAM_OK;
    int e = errno;
    unlink(tmp);
    return kam_err_set(err, KAM_ERR_IO, "cannot write '%s': %s", path,
                       e ? strerror(e) : "write error");
}

static enum kam_rc write_all(const struct demo *d, const char *dir, struct kam_err *err)
{
    enum kam_rc rc;

    if (strlen(dir) > 3000)
        return kam_err_set(err, KAM_ERR_USAGE, "demo directory name is too long");
    for (int s = 0; s < SEC_COUNT; s++) {
        if (sections[s].header == NULL)
            continue;
        errno = 0;
        if ((rc = write_section(d, &sections[s], dir, err)) != KAM_OK)
            return rc;
    }
    return KAM_OK;
}

void kam_demo_opts_default(struct kam_demo_opts *o)
{
    o->seed = 1;
    o->accounts = 2000;
    o->products = 200;
    o->years = 3;
    o->end_date = "2025-12-31";
}

enum kam_rc kam_demo_write_csv(const struct kam_demo_opts *o, const char *dir, struct kam_err *err)
{
    struct demo d;
    enum kam_rc rc = demo_build(&d, o, err);

    if (rc == KAM_OK)
        rc = write_all(&d, dir, err);
    demo_free(&d);
    return rc;
}

/* The first problem the import reports, for an import error that comes without a message. */
struct first_error {
    char msg[sizeof(((struct kam_err *)0)->msg)];
};

static void on_import_error(void *ctx, const char *file, int64_t line, const char *field,
                            const char *msg)
{
    struct first_error *fe = ctx;

    if (fe->msg[0] != '\0')
        return;
    if (file == NULL)
        file = "";
    if (field != NULL && field[0] != '\0')
        snprintf(fe->msg, sizeof(fe->msg), "%s, line %lld, column '%s': %s", file, (long long)line,
                 field, msg);
    else
        snprintf(fe->msg, sizeof(fe->msg), "%s, line %lld: %s", file, (long long)line, msg);
}

static void remove_dir(const char *dir)
{
    char path[4096];

    for (int s = 0; s < SEC_COUNT; s++) {
        if (sections[s].header == NULL)
            continue;
        section_path(dir, &sections[s], "", path, sizeof(path));
        unlink(path); /* absent when writing stopped early: nothing to do */
        section_path(dir, &sections[s], ".tmp", path, sizeof(path));
        unlink(path);
    }
    rmdir(dir);
}

enum kam_rc kam_demo_generate(struct kam_store *st, const struct kam_demo_opts *o,
                              struct kam_demo_report *rep, struct kam_err *err)
{
    struct demo d;
    char dir[3000];
    const char *tmpdir = getenv("TMPDIR");
    bool made = false;
    enum kam_rc rc;

    rc = demo_build(&d, o, err);
    if (rc != KAM_OK)
        goto out;
    if (tmpdir == NULL || tmpdir[0] == '\0')
        tmpdir = "/tmp";
    if ((size_t)snprintf(dir, sizeof(dir), "%s/kam-demo-XXXXXX", tmpdir) >= sizeof(dir)) {
        rc = kam_err_set(err, KAM_ERR_USAGE, "temporary directory name '%s' is too long", tmpdir);
        goto out;
    }
    if (mkdtemp(dir) == NULL) {
        rc = kam_err_set(err, KAM_ERR_IO, "cannot create a temporary directory in '%s': %s", tmpdir,
                         strerror(errno));
        goto out;
    }
    made = true;
    rc = write_all(&d, dir, err);
    for (int s = 0; rc == KAM_OK && s < SEC_COUNT; s++) {
        const struct section *sec = &sections[s];
        if (sec->header != NULL) {
            char path[4096];
            struct kam_import_opts io = {0};
            struct kam_import_report irep = {0};
            struct first_error fe = {""};
            section_path(dir, sec, "", path, sizeof(path));
            io.kind = sec->kind;
            io.path = path;
            rc = kam_import_run(st, &io, on_import_error, &fe, &irep, err);
            if (rc != KAM_OK && err != NULL && err->msg[0] == '\0' && fe.msg[0] != '\0')
                kam_err_set(err, rc, "%s", fe.msg);
        } else {
            rc = sec->apply(&d, st, err);
        }
    }
    if (rc == KAM_OK) {
        memset(rep, 0, sizeof(*rep));
        for (int s = 0; s < SEC_COUNT; s++)
            *(int64_t *)((char *)rep + sections[s].report) = d.rows[s];
    }
out:
    if (made)
        remove_dir(dir);
    demo_free(&d);
    return rc;
}
