//! Text forms, for serde, of the types this crate uses but does not own (the engine's and the
//! EWS client's carry no serde support).

/// An engine policy enum as its [`PolicyChoice`](crate::PolicyChoice) name.
pub(crate) mod choice {
    use serde::{Deserialize, Deserializer, Serializer, de};

    use crate::PolicyChoice;

    pub(crate) fn serialize<S: Serializer, T: PolicyChoice>(
        value: &T,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.name())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>, T: PolicyChoice>(
        deserializer: D,
    ) -> Result<T, D::Error> {
        let raw = String::deserialize(deserializer)?;
        T::from_name(&raw).ok_or_else(|| de::Error::custom(format!("unknown value {raw:?}")))
    }
}

/// An [`ExchangeVersion`](ohsync_ews::ExchangeVersion) as its `RequestServerVersion` string.
pub(crate) mod version {
    use ohsync_ews::ExchangeVersion;
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub(crate) fn serialize<S: Serializer>(
        value: &ExchangeVersion,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<ExchangeVersion, D::Error> {
        String::deserialize(deserializer)?
            .parse()
            .map_err(de::Error::custom)
    }
}

/// A [`BindingId`](ohsync_engine::identity::BindingId) as its hex digest.
pub(crate) mod binding {
    use ohsync_engine::identity::BindingId;
    use serde::{Deserialize, Deserializer, Serializer, de};

    pub(crate) fn serialize<S: Serializer>(
        value: &BindingId,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(value.as_str())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<BindingId, D::Error> {
        BindingId::parse(&String::deserialize(deserializer)?).map_err(de::Error::custom)
    }
}
