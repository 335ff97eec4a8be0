// go moves to another screen.
export const go = (hash) => { location.hash = hash; };
