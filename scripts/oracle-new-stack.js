// Preloaded (node --require) into the oracle by scripts/oracle-expected.
//
// `sls package` asks CloudFormation for the deployed stack in a few places (service layers
// compare their hash with the last deployed one). The oracle runs offline, where that call
// fails and the framework gives up. This answers it the way AWS answers for a stack that has
// never been deployed ("Stack with id … does not exist"), the case slsx expands: a template
// that does not depend on an earlier deployment. Nothing else is changed.
'use strict';
const path = require('path');

let AWS = null;
try {
  AWS = require(require.resolve('aws-sdk', { paths: [path.dirname(process.argv[1] || '.')] }));
} catch {
  // not the framework (or no aws-sdk next to it): nothing to answer
}
if (AWS) {
  const promise = AWS.Request.prototype.promise;
  AWS.Request.prototype.promise = function (...args) {
    const service = this.service && this.service.serviceIdentifier;
    if (service === 'cloudformation' && this.operation === 'describeStacks') {
      const name = (this.params && this.params.StackName) || '';
      const err = new Error(`Stack with id ${name} does not exist`);
      err.code = 'ValidationError';
      err.statusCode = 400;
      return Promise.reject(err);
    }
    return promise.apply(this, args);
  };
}
