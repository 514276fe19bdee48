// Registers every command-line tool with the runner.

import './sysctl.js';
