import { createApp } from 'vue';
import 'element-plus/dist/index.css';
import './style.css';
import App from './App.vue';
import { router } from './router.js';
import { i18n } from './i18n.js';
import { setUnauthorizedHandler, session } from './api.js';

setUnauthorizedHandler(() => {
  session.user = null;
  const here = router.currentRoute.value;
  if (here.name !== 'signin') router.replace({ name: 'signin', query: { next: here.fullPath } });
});

document.documentElement.lang = i18n.global.locale.value;
createApp(App).use(i18n).use(router).mount('#app');
