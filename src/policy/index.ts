/**
 * C2SP tlog-policy: parsing a policy file and checking a checkpoint against it. Error codes are listed in
 * README.md beside this file.
 */
export { KEY_TYPE_SM2_NOTE, POLICY_LIMITS, type Policy, type PolicyGroup, type PolicyLog, type PolicyWitness } from './types.js';
export { displayName, parsePolicy, policyVerifiers } from './parse.js';
export {
  checkCheckpointPolicy, evaluateQuorum, quorumNeeds, witnessedNames, type LogSignature, type PolicyCheck, type PolicyCosigner,
} from './quorum.js';
