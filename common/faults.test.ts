import { createFaults, parseFaultPlan } from './faults';

describe('parseFaultPlan', () => {
  it('When points and probabilities are given, Then each is parsed', () => {
    expect(parseFaultPlan('crash-after-sign:0.2,crash-before-settle:1')).toEqual({ 'crash-after-sign': 0.2, 'crash-before-settle': 1 });
  });

  it('When a point is unknown or a probability is out of range, Then it is refused', () => {
    expect(() => parseFaultPlan('crash-somewhere:0.1')).toThrow(/unknown crash point/);
    expect(() => parseFaultPlan('crash-after-sign:2')).toThrow(/within 0..1/);
  });
});

describe('createFaults', () => {
  it('When no plan is set, Then no crash point kills the process', () => {
    const kill = jest.spyOn(process, 'kill').mockImplementation(() => true);
    try {
      const faults = createFaults();
      for (let i = 0; i < 100; i++) faults.maybeCrash('crash-after-sign');
      expect(kill).not.toHaveBeenCalled();
      createFaults({ 'crash-after-sign': 1 }).maybeCrash('crash-after-sign');
      expect(kill).toHaveBeenCalledWith(process.pid, 'SIGKILL');
    } finally {
      kill.mockRestore();
    }
  });
});
