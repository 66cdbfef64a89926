//! The request mapping templates of the framework's `lambda` integration (VTL, emitted
//! verbatim): the request becomes an event with its body, method, authorizer, headers, query,
//! path, identity and stage variables. `extraCognitoPoolClaims` is where an authorizer's
//! Cognito claims go.

/// What both default templates share (it starts with a line break).
const COMMON: &str = r##"
  #define( $loop )
    {
    #foreach($key in $map.keySet())
        #set( $k = $util.escapeJavaScript($key) )
        #set( $v = $util.escapeJavaScript($map.get($key)).replaceAll("\\'", "'") )
        "$k":
          "$v"
          #if( $foreach.hasNext ) , #end
    #end
    }
  #end

  {
    "body": $body,
    "method": "$context.httpMethod",
    "principalId": "$context.authorizer.principalId",
    "stage": "$context.stage",

    "cognitoPoolClaims" : {
       extraCognitoPoolClaims
       "sub": "$context.authorizer.claims.sub"
    },

    #set( $map = $context.authorizer )
    "enhancedAuthContext": $loop,

    #set( $map = $input.params().header )
    "headers": $loop,

    #set( $map = $input.params().querystring )
    "query": $loop,

    #set( $map = $input.params().path )
    "path": $loop,

    #set( $map = $context.identity )
    "identity": $loop,

    #set( $map = $stageVariables )
    "stageVariables": $loop,

    "requestPath": "$context.resourcePath"
  }

  "##;

/// The head of the `application/json` template.
const JSON_HEAD: &str = r##"
    #set( $body = $input.json("$") )

    "##;

/// The head of the `application/x-www-form-urlencoded` template.
const FORM_HEAD: &str = r##"
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
    #end

    "##;

/// The default `application/json` template.
pub fn json() -> String {
    format!("{JSON_HEAD}{COMMON}")
}

/// The default `application/x-www-form-urlencoded` template.
pub fn form() -> String {
    format!("{FORM_HEAD}{COMMON}")
}

#[cfg(test)]
mod tests {
    #[test]
    fn templates_keep_their_claims_slot() {
        assert!(super::json().starts_with("\n    #set( $body = $input.json(\"$\") )"));
        assert!(super::form().contains("#define( $body )"));
        assert_eq!(super::json().matches("extraCognitoPoolClaims").count(), 1);
    }
}
