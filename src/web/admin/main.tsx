import { render } from 'preact';
import { AdminApp } from './AdminApp.js';

const root = document.getElementById('app');
if (root) {
  root.textContent = '';
  render(<AdminApp />, root);
}
