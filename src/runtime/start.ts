// What `npm start` runs, compiled (scripts/build.mjs): the Node runtime's command line.
import { main } from './node';

void main();
