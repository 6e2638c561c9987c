import { describeFuzz } from '../support/fuzz-suite.js';

// Half of the catalogued endpoints, dealt round-robin (test/support/fuzz-suite.ts).
describeFuzz(1, 2);
