// Pages are loaded on first use (code-split); every page but sign-in needs a user.
import { createRouter, createWebHistory } from 'vue-router';
import { session, whoAmI } from './api.js';

const routes = [
  { path: '/signin', name: 'signin', component: () => import('./views/SignIn.vue'), meta: { public: true } },
  { path: '/', name: 'dashboard', component: () => import('./views/Dashboard.vue') },
  { path: '/accounts', name: 'accounts', component: () => import('./views/Accounts.vue') },
  { path: '/accounts/:code', name: 'account', component: () => import('./views/Account.vue'), props: true },
  { path: '/admin/users', name: 'admin', component: () => import('./views/Admin.vue'), meta: { roles: ['admin'] } },
  { path: '/admin/audit', name: 'audit', component: () => import('./views/Audit.vue'), meta: { roles: ['admin'] } },
  { path: '/import', name: 'import', component: () => import('./views/Import.vue'), meta: { roles: ['admin', 'director'] } },
  { path: '/model', name: 'model', component: () => import('./views/Model.vue') },
  { path: '/:rest(.*)*', name: 'notfound', component: () => import('./views/NotFound.vue'), meta: { public: true } },
];

export const router = createRouter({ history: createWebHistory(), routes });

router.beforeEach(async (to) => {
  if (!session.checked) await whoAmI();
  if (!to.meta.public && !session.user) return { name: 'signin', query: { next: to.fullPath } };
  if (to.name === 'signin' && session.user) return { name: 'dashboard' };
  if (to.meta.roles && !to.meta.roles.includes(session.user.role)) return { name: 'notfound', params: { rest: to.path.slice(1).split('/') } };
  return true;
});
