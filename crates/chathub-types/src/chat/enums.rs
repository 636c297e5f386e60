//! The integer enums of chats and messages (Decisions 16 and 17).
//!
//! Each keeps an unknown number in its `Unknown` variant and writes it back
//! unchanged, as [`crate::OperatorStatus`] does: a client never fails on a
//! value the live service adds later. Writes accept only the known numbers
//! (the endpoint's `validate` says so, naming the field).

use crate::wire_enum::wire_enum;

wire_enum!(
    /// A chat's status (Decision 16: the help centre's 0-4 everywhere).
    ChatStatus, "status", "0 New, 1 Open, 2 Waiting, 3 OnPause, 4 Closed", example = 2 {
        /// 0: no operator has answered yet.
        New = 0,
        /// 1: being handled.
        Open = 1,
        /// 2: waiting for the client.
        Waiting = 2,
        /// 3: on pause.
        OnPause = 3,
        /// 4: closed (archived); no operator may write until it is reopened.
        Closed = 4,
    }
);

wire_enum!(
    /// The messenger a chat runs on (`messSource`, Decision 17).
    MessageSource, "source", "0 Viber, 1 ViberBot, 2 TelegramBot, 3 WhatsApp, 4 Widget, 5 Instagram, 6 Facebook, 7 Rozetka, 8 PromUa", example = 4 {
        /// 0: Viber business messages.
        Viber = 0,
        /// 1: a Viber bot.
        ViberBot = 1,
        /// 2: a Telegram bot.
        TelegramBot = 2,
        /// 3: WhatsApp.
        WhatsApp = 3,
        /// 4: the web widget.
        Widget = 4,
        /// 5: Instagram.
        Instagram = 5,
        /// 6: Facebook.
        Facebook = 6,
        /// 7: Rozetka marketplace.
        Rozetka = 7,
        /// 8: Prom.ua marketplace.
        PromUa = 8,
    }
);

wire_enum!(
    /// Who wrote a message (Decision 17).
    Author, "author", "0 Operator, 1 Client, 2 System", example = 1 {
        /// 0: an operator (or the company) replied.
        Operator = 0,
        /// 1: the client wrote through a messenger.
        Client = 1,
        /// 2: reserved for system notices.
        System = 2,
    }
);

wire_enum!(
    /// A message's delivery status (Decision 17).
    MessageStatus, "status", "0 New, 1 Success, 2 Rejected, 3 Read", example = 2 {
        /// 0: new (a client message nobody has answered).
        New = 0,
        /// 1: delivered to the messenger.
        Success = 1,
        /// 2: the messenger rejected it.
        Rejected = 2,
        /// 3: read.
        Read = 3,
    }
);

wire_enum!(
    /// The kind of a message's media (Decision 17).
    MediaType, "type", "0 File, 1 Photo, 2 Video, 3 Audio", example = 2 {
        /// 0: any file.
        File = 0,
        /// 1: a photo (an `image/*` format).
        Photo = 1,
        /// 2: a video (a `video/*` format).
        Video = 2,
        /// 3: audio (an `audio/*` format).
        Audio = 3,
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_and_unknown_numbers_round_trip() {
        for value in -2..12 {
            assert_eq!(ChatStatus::from_i32(value).to_i32(), value);
            assert_eq!(MessageSource::from_i32(value).to_i32(), value);
            assert_eq!(MediaType::from_i32(value).is_known(), (0..=3).contains(&value));
        }
        assert_eq!(ChatStatus::from_i32(4), ChatStatus::Closed);
        assert_eq!(MessageSource::PromUa.to_i32(), 8);
        assert_eq!(Author::from_i32(9).to_string(), "9");
        assert_eq!(MessageStatus::Read.to_string(), "Read");
        assert_eq!(ChatStatus::ALL.len(), 5);
        assert_eq!(MessageSource::ALL.len(), 9);
    }
}
