/// How a call ended, in Pipedrive's call-log vocabulary.
public enum CallLogOutcome: String, CaseIterable, Codable, Sendable {
    /// The call was answered.
    case connected
    /// Nobody answered.
    case noAnswer = "no_answer"
    /// The caller left a message.
    case leftMessage = "left_message"
    /// The caller left a voicemail.
    case leftVoicemail = "left_voicemail"
    /// The number was wrong.
    case wrongNumber = "wrong_number"
    /// The line was busy.
    case busy
}
