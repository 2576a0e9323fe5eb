// @ts-check
/**
 * Whether what esbuild built is still current: the content hashes of the project files a
 * build read (from its metafile), plus package-lock.json standing for node_modules. Plain
 * JavaScript, because the cdktf app launcher uses it before anything is compiled.
 */
'use strict';
const { createHash } = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

/** @param {string} file */
function sha256(file) {
  try {
    return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
  } catch {
    return 'missing';
  }
}

/**
 * @param {string} root project root
 * @param {{ inputs: Record<string, unknown> }[]} metafiles esbuild metafiles of the build
 * @param {string[]} [extra] more files the output depends on (e.g. the build script itself)
 * @returns {Record<string, string>} project-relative path → sha256
 */
function recordInputs(root, metafiles, extra = []) {
  const files = new Set(['package-lock.json', ...extra]);
  for (const meta of metafiles) {
    for (const input of Object.keys(meta.inputs)) if (!input.includes('node_modules/')) files.add(path.relative(root, path.resolve(root, input)));
  }
  /** @type {Record<string, string>} */
  const record = {};
  for (const file of [...files].sort()) record[file] = sha256(path.join(root, file));
  return record;
}

/**
 * @param {string} root
 * @param {string} recordFile JSON written from recordInputs
 * @returns {boolean} true when the record is missing or any file changed
 */
function inputsChanged(root, recordFile) {
  let record;
  try {
    record = JSON.parse(fs.readFileSync(recordFile, 'utf8'));
  } catch {
    return true;
  }
  return Object.entries(record).some(([file, hash]) => sha256(path.join(root, file)) !== hash);
}

module.exports = { recordInputs, inputsChanged };
