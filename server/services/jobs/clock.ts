/** The clock services read; tests inject their own. */
export type Clock = () => Date;
export const systemClock: Clock = () => new Date();
