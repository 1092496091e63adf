// The signature-table file: parse, validate, show, learn. Host-only (may use Foundation).
import EarshotDetection
