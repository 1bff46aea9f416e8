//! Enumerations whose values travel as fixed EWS strings.

/// Declares an enum whose variants map one-to-one onto EWS strings, with `as_str` and `parse`.
macro_rules! wire_enum {
    ($(#[$meta:meta])* pub enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value in schema order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The EWS spelling.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $text,)+
                }
            }

            /// Parses the EWS spelling (surrounding whitespace ignored); `None` for anything else.
            pub fn parse(raw: &str) -> Option<Self> {
                match raw.trim() {
                    $($text => Some($name::$variant),)+
                    _ => None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

pub(crate) use wire_enum;
