'use strict';

// `plugins: [slsx]`: the Serverless Framework v3 plugin (see lib/plugin.js).
module.exports = require('./lib/plugin');
