// The configuration reader's key-length rule and the MQTT layer's are one number.
import EarshotConfig
import EarshotAgent
import EarshotMQTT
import Testing

@Test("command_key_file's minimum length equals the signer's (bytes)")
func commandKeyMinimumsAgree() {
    #expect(CommandKeyFile.minimumKeyBytes == CommandAuthentication.minimumKeyBytes)
}
