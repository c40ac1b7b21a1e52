// @w2s/weak-teacher: not implemented yet (see its README).
export {};
