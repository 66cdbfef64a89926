//! The request mapping templates the plugin puts on every method (VTL, emitted verbatim inside
//! `Fn::Sub`).

/// The default template (`application/json` and `application/x-www-form-urlencoded`): the
/// escaped body becomes the execution input, the request id its name.
pub const DEFAULT: &str = r#"
#set( $body = $util.escapeJavaScript($input.json('$')).replaceAll("\\'", "'") )
{"input": "$body", "name": "$context.requestId", "stateMachineArn":"${StateMachineArn}"}"#;

/// The part both `lambda_proxy` templates share: rebuilds a Lambda-proxy-style event. (In the
/// plugin it starts with a line break and indentation, which the prefixes here carry.)
const LAMBDA_PROXY_COMMON: &str = r##"#define( $loop )
  {
    #foreach($key in $map.keySet())
      #set( $k = $util.escapeJavaScript($key) )
      #set( $v = $util.escapeJavaScript($map.get($key)).replaceAll("\\'", "'") )
      "$k":
        #if ("$v" == "")
          null
        #else
          "$v"
        #end
        #if( $foreach.hasNext ) , #end
    #end
  }
  #end
  #define( $smInput )
  {
    "resource": "$context.resourcePath",
    "path": "$context.path",
    "httpMethod": "$context.httpMethod",
    #set( $map = $input.params().header )
    "headers": $loop,

    #if ($input.params().querystring.size() == 0)
    "queryStringParameters": null,
    #else
    #set( $map = $input.params().querystring )
    "queryStringParameters": $loop,
    #end

    #if ($input.params().path.size() == 0)
    "pathParameters": null,
    #else
    #set( $map = $input.params().path )
    "pathParameters": $loop,
    #end

    #if ($stageVariables.size() == 0)
    "stageVariables": null,
    #else
    #set( $map = $stageVariables )
    "stageVariables": $loop,
    #end

    "requestContext": {
      "resourceId": "$context.resourceId",
      "resourcePath": "$context.resourcePath",
      "httpMethod": "$context.httpMethod",
      "extendedRequestId": "$context.extendedRequestId",
      "requestTime": "$context.requestTime",
      "path": "$context.path",
      "accountId": "${AccountId}",
      "protocol": "$context.protocol",
      "stage": "$context.stage",
      "domainPrefix": "$context.domainPrefix",
      "requestTimeEpoch": $context.requestTimeEpoch,
      "requestId": "$context.requestId",
      #set( $map = $context.identity )
      "identity": $loop,
      "domainName": "$context.domainName",
      #set( $map = $context.authorizer )
      "authorizer": $loop,
      "apiId": "$context.apiId"
    },
    "body": "$util.escapeJavaScript("$body").replaceAll("\\'", "'")",
    "isBase64Encoded": false
  }
  #end
  {
    "input": "$util.escapeJavaScript("$smInput").replaceAll("\\'", "'")",
    "name":"$context.requestId",
    "stateMachineArn":"${StateMachineArn}"
  }"##;

/// `$body` of the JSON `lambda_proxy` template (and the blank line before the shared part).
const LAMBDA_PROXY_JSON_PREFIX: &str = "\n  #set( $body = $input.body )\n  \n  ";

/// `$body` of the form `lambda_proxy` template: the url-encoded pairs as a JSON object.
const LAMBDA_PROXY_FORM_BODY: &str = r##"
  #define( $body )
    {
    #foreach( $token in $input.path('$').split('&') )
      #set( $keyVal = $token.split('=') )
      #set( $keyValSize = $keyVal.size() )
      #if( $keyValSize >= 1 )
        #set( $key = $util.escapeJavaScript($util.urlDecode($keyVal[0])) )
        #if( $keyValSize >= 2 )
          #set($val = $util.escapeJavaScript($util.urlDecode($keyVal[1])).replaceAll("\\'","'"))
        #else
          #set( $val = '' )
        #end
        "$key": "$val"#if($foreach.hasNext),#end
      #end
    #end
    }
  #end"##;

/// The `lambda_proxy` template for `application/json`.
pub fn lambda_proxy_json() -> String {
    format!("{LAMBDA_PROXY_JSON_PREFIX}{LAMBDA_PROXY_COMMON}")
}

/// The `lambda_proxy` template for `application/x-www-form-urlencoded`.
pub fn lambda_proxy_form() -> String {
    format!("{LAMBDA_PROXY_FORM_BODY}\n  \n  {LAMBDA_PROXY_COMMON}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes() {
        assert!(DEFAULT.starts_with("\n#set( $body"));
        assert!(DEFAULT.contains(r#"replaceAll("\\'", "'")"#));
        assert!(
            lambda_proxy_json()
                .starts_with("\n  #set( $body = $input.body )\n  \n  #define( $loop )")
        );
        assert!(lambda_proxy_form().starts_with("\n  #define( $body )\n    {"));
        assert!(lambda_proxy_form().contains("  #end\n  \n  #define( $loop )"));
        assert!(lambda_proxy_json().ends_with("\"stateMachineArn\":\"${StateMachineArn}\"\n  }"));
    }
}
