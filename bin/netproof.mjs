#!/usr/bin/env node
// The launcher as it was first named: runs bin/netproof.cjs (the `netproof` command), for command lines
// and scripts that name this file. Starting from the CommonJS file directly skips Node's ES module loader.
import './netproof.cjs';
