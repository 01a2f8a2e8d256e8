export { freePort } from '../../stack/freePort';
