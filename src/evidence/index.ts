/** The evidence package (证据包): README.md beside this file. */
export * from './layout.js';
export * from './manifest.js';
export { linesRoot, packageRoots } from './tree.js';
export { CONSISTENCY_FORMAT, checkConsistent, consistencyJson, parseConsistency, type ConsistencyProofs } from './consistency.js';
export { readmeText, type ReadmeExhibit, type ReadmeInput } from './readme.js';
export { PackageZipWriter } from './zip-write.js';
export { MAX_ENTRY_BYTES, MAX_TOTAL_BYTES, MAX_ZIP_ENTRIES, entryNameProblem, zipEntries, type ZipEntry } from './zip-read.js';
export { buildEvidencePackage, packageTitle, sequentialCertificates, type CertificateMaker, type EvidenceInput, type EvidenceResult } from './build.js';
export { checkPackage, type ExhibitResult, type PackageReport, type PackageTrust, type PartResult } from './check.js';
