// Shared shapes of the XML-RPC codec: wire type names, decoded values, faults and
// the small wrappers the encoder understands (doubles that look integral, pre-encoded XML).

/** The XML-RPC type a value arrived as. `nil` arrives as "" (Spacewalk treats it as empty). */
export type WireType =
  | 'string'
  | 'int'
  | 'i8'
  | 'boolean'
  | 'double'
  | 'dateTime'
  | 'base64'
  | 'struct'
  | 'array'
  | 'nil';

/** A decoded struct: a prototype-less record, so a member named `__proto__` is just data. */
export type XmlRpcStruct = { [key: string]: XmlRpcValue };

export type XmlRpcValue =
  | string
  | number
  | boolean
  | Date
  | Buffer
  | XmlRpcValue[]
  | XmlRpcStruct;

/** A top-level parameter with the type it was sent as; overloads are resolved on it. */
export interface Param {
  type: WireType;
  value: XmlRpcValue;
}

export interface MethodCall {
  methodName: string;
  params: Param[];
}

/** A fault as it goes on the wire: numeric code and the full faultString text. */
export class XmlRpcFault extends Error {
  constructor(
    readonly faultCode: number,
    readonly faultString: string,
  ) {
    super(faultString);
    this.name = 'XmlRpcFault';
  }
}

/** The request body was not a well-formed, acceptable XML-RPC document. */
export class XmlDecodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'XmlDecodeError';
  }
}

/** Forces `<double>` for a number that happens to be integral. */
export class Double {
  constructor(readonly value: number) {}
}

/** An already-encoded `<value>` body (without the `<value>` wrapper), e.g. a cached answer. */
export class RawXml {
  constructor(readonly xml: string) {}
}

/** A complete, already-encoded methodResponse (cached answers are sent as-is). */
export class EncodedResponse {
  constructor(readonly body: Buffer) {}
}
