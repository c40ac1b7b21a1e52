// @w2s/native: loads the BLAS addon built by scripts/build.mjs, if it was built.
//
//   const native = require('@w2s/native');
//   native.addon   // { sgemm, setThreads, getThreads, info } or null
//   native.reason  // why addon is null (from the build's status file), else undefined
//   native.core    // the OpenBLAS kernels in use ('SkylakeX', 'Haswell', …), chosen as blas-core.cjs says
//
// Loading never throws: a missing or broken addon gives addon = null and a reason.
'use strict';
/* global require, module, __dirname */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS loader: require is how a .node addon loads */
const fs = require('node:fs');
const path = require('node:path');

const { chooseOpenblasCore, coreFromConfig } = require('./blas-core.cjs');

const ADDON_PATH = path.join(__dirname, 'build', 'Release', 'w2s_blas.node');
const STATUS_PATH = path.join(__dirname, 'build', 'status.json');

function buildReason() {
  try {
    const status = JSON.parse(fs.readFileSync(STATUS_PATH, 'utf8'));
    if (status.skipped) return `the build was skipped: ${status.skipped}`;
  } catch {
    // no status file: the install script never ran (e.g. npm ci --ignore-scripts)
  }
  return 'the addon is not built; run: npm run build:native -w @w2s/native';
}

function load() {
  if (!fs.existsSync(ADDON_PATH)) return { addon: null, reason: buildReason() };
  // Before the addon (and with it OpenBLAS) loads: OpenBLAS reads OPENBLAS_CORETYPE only then.
  const request = chooseOpenblasCore();
  try {
    const addon = require(ADDON_PATH);
    const info = addon.info();
    const core = info.blas === 'openblas' ? coreFromConfig(info.config) : undefined;
    return { addon, reason: undefined, core, coreFrom: core && core === request.core ? request.from : undefined };
  } catch (e) {
    return { addon: null, reason: `the addon failed to load: ${e instanceof Error ? e.message : String(e)}` };
  }
}

module.exports = load();
