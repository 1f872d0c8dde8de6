/// Namespace of the tables that scripts/generate-phone-metadata derives from libphonenumber's
/// metadata; the generated extension (PhoneMetadata+Generated.swift) holds their encoded contents.
enum PhoneMetadataTables {}
