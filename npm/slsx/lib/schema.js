'use strict';

// The `stepFunctions` top-level property, registered with the framework's config schema.
// It has the same shape as serverless-step-functions' own definition on purpose: the
// framework validates with AJV `coerceTypes: 'array'` and changes the configuration in place
// wherever the schema names a type, so a stricter schema would coerce values the original
// plugin leaves alone and change the template. slsx checks the rest itself, with located
// diagnostics.
module.exports = {
  type: 'object',
  properties: {
    stateMachines: { type: 'object' },
    validate: { type: 'boolean' },
    noOutput: { type: 'boolean' },
    activities: { type: 'array' },
  },
  required: ['stateMachines'],
};
