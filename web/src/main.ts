import { createApp } from 'vue';
import 'dayjs/locale/zh-cn';
import 'element-plus/theme-chalk/base.css';
import App from './App.vue';
import { ApiError, onPasswordChangeRequired, onUnauthorized } from './api/request.ts';
import { clearSession, session } from './api/session.ts';
import { router } from './router/index.ts';
import './styles.css';

onUnauthorized(() => {
  clearSession();
  const current = router.currentRoute.value;
  if (current.path !== '/login') {
    void router.push({ path: '/login', query: { redirect: current.fullPath } });
  }
});

onPasswordChangeRequired(() => {
  if (session.user) session.user.mustChangePassword = true;
  session.passwordPrompts += 1;
});

// Pages start their loads with `void load()`; a failed request has already told the user (ElMessage), so
// it is not an unexpected error. Anything else still reaches the console.
window.addEventListener('unhandledrejection', (event) => {
  if (event.reason instanceof ApiError) event.preventDefault();
});

createApp(App).use(router).mount('#app');
