module.exports = new Proxy({}, { get: () => async (e) => e });
