export type { RiskPolicyProps, TotpRecoveryProps } from './props';
export { TotpRecovery } from './totp-recovery';
