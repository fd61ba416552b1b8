// The guest-facing RHN client protocol (registration, up2date, queue, errata, systemid and
// X-RHN-Auth handling, action encoders, GET-REQ authorisation) arrives with the guests issue.
// Nothing here yet: /XMLRPC is not served until then.
export {};
