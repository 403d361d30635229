/** Server-rendered pages of the dashboard (Chinese), one module per subject. */
export { type Flash, type KeptForm, type PageContext } from './common';
export { incidentPage, marginText } from './incidents';
export { errorPage, loginPage, signForPage } from './login';
export { isOpen, itemValue, taskPage, timelinePage } from './obligations';
export { planPage, unitPage } from './overview';
export { requestPage } from './requests';
export { type ScoreCharts, scoresPage } from './scores';
