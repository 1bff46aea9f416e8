//! SOAP 1.1 envelopes as Exchange reads and writes them.

pub mod envelope;
pub mod response;

/// SOAP 1.1 envelope namespace (servers always send http://).
pub const SOAP_NS: &str = "http://schemas.xmlsoap.org/soap/envelope/";
/// EWS types namespace (`t:`).
pub const TYPES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/types";
/// EWS messages namespace (`m:`).
pub const MESSAGES_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/messages";
/// EWS errors namespace (`e:`, fault details).
pub const ERRORS_NS: &str = "http://schemas.microsoft.com/exchange/services/2006/errors";
const XSI_NS: &str = "http://www.w3.org/2001/XMLSchema-instance";
const XSD_NS: &str = "http://www.w3.org/2001/XMLSchema";
