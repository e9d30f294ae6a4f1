import { describe, expect, it } from 'vitest';
import { assessRisk } from '../../functions/domain/risk';

const policy = { privilegedGroups: ['admins'], recentRecoveryDays: 30 };

describe('assessing risk', () => {
  it('rates a regular user with no signal LOW with no reasons', () => {
    expect(assessRisk({ groups: ['staff'], recentCompletedRecoveries: 0 }, policy)).toEqual({
      level: 'LOW',
      reasons: [],
    });
  });

  it('rates a member of a privileged group HIGH and says why', () => {
    expect(assessRisk({ groups: ['admins'], recentCompletedRecoveries: 0 }, policy)).toEqual({
      level: 'HIGH',
      reasons: ['PRIVILEGED_GROUP:admins'],
    });
  });

  it('rates a user who recovered recently HIGH, and adds reasons up', () => {
    const risk = assessRisk({ groups: ['admins'], recentCompletedRecoveries: 1 }, policy);
    expect(risk.level).toBe('HIGH');
    expect(risk.reasons).toEqual(['PRIVILEGED_GROUP:admins', 'RECENT_RECOVERY:30d']);
  });
});
