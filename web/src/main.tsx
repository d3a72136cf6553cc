// The dashboard's entry: styles, the router, the session check, then the app.

import { render } from 'preact';
import { App } from './app';
import { startRouter } from './router';
import { checkSession } from './state/session';
import './styles.css';

startRouter();
void checkSession();
render(<App />, document.getElementById('app')!);
