using System.Buffers;
using System.Globalization;
using System.Text;
using System.Text.Unicode;

namespace Perf.Protocols.LineProtocol;

/// <summary>
/// Decodes InfluxDB line protocol (the grammar of <c>line-protocol.ebnf</c>: one point per line, <c>\n</c> or
/// <c>\r\n</c> between lines, <c>#</c> comments, backslash escapes) into <see cref="LinePoint"/>s.
/// A bad line does not stop the decoding: it is reported with its line, column and reason, and decoding goes on at the
/// next line, so a receiver can store the good lines and report the bad ones (InfluxDB's "partial write").
/// Failures are returned, not thrown: a body of a million bad lines must not cost a million exceptions.
/// </summary>
public static class LineProtocolDecoder
{
    /// <summary>Reasons kept per batch; past this only <see cref="LineProtocolBatch.ErrorCount"/> grows.</summary>
    public const int MaxErrorsKept = 100;

    /// <param name="input">the body, UTF-8.</param>
    /// <param name="nanosecondsPerUnit">the unit of the timestamps written (<see cref="TimePrecision"/>).</param>
    /// <param name="defaultTimeNs">the time of a line without a timestamp, in nanoseconds; truncated to the precision, as
    /// a timestamp written in that unit would be.</param>
    public static LineProtocolBatch Decode(ReadOnlySpan<byte> input, long nanosecondsPerUnit, long defaultTimeNs)
    {
        var points = new List<LinePoint>();
        var errors = new List<LineError>();
        var errorCount = 0;
        var reader = new Reader(input, nanosecondsPerUnit, Math.DivRem(defaultTimeNs, nanosecondsPerUnit) is var (q, r) && r < 0 ? (q - 1) * nanosecondsPerUnit : q * nanosecondsPerUnit);
        try
        {
            while (!reader.AtEnd)
            {
                if (reader.TryReadLine(out var point))
                {
                    if (point is not null) points.Add(point);
                    continue;
                }
                errorCount++;
                if (errors.Count < MaxErrorsKept) errors.Add(reader.Error!);
                reader.SkipRestOfLine();
            }
        }
        finally
        {
            reader.Dispose();
        }
        return new LineProtocolBatch(points, errors, errorCount);
    }

    /// <summary>Convenience for text (tests, the CLI): the text is encoded as UTF-8 first.</summary>
    public static LineProtocolBatch Decode(string input, long nanosecondsPerUnit, long defaultTimeNs) =>
        Decode(Encoding.UTF8.GetBytes(input), nanosecondsPerUnit, defaultTimeNs);

    private ref struct Reader
    {
        private readonly ReadOnlySpan<byte> _s;
        private readonly long _unit;
        private readonly long _defaultTime;
        private int _pos;
        private int _line;
        private int _lineStart;
        private byte[] _scratch;

        public Reader(ReadOnlySpan<byte> s, long unit, long defaultTime)
        {
            _s = s;
            _unit = unit;
            _defaultTime = defaultTime;
            _line = 1;
            _scratch = ArrayPool<byte>.Shared.Rent(256);
        }

        public LineError? Error { get; private set; }

        public readonly bool AtEnd => _pos >= _s.Length;

        private readonly bool AtLineEnd => _pos >= _s.Length || _s[_pos] == (byte)'\n' || _s[_pos] == (byte)'\r';

        public void Dispose() => ArrayPool<byte>.Shared.Return(_scratch);

        /// <summary>Reads one line: a point, or null for an empty line or a comment; false (with <see cref="Error"/>) when it is bad.</summary>
        public bool TryReadLine(out LinePoint? point)
        {
            point = null;
            var line = _line;
            SkipSpaces();
            if (AtEnd) return true;
            if (_s[_pos] == (byte)'#')
            {
                while (_pos < _s.Length && _s[_pos] != (byte)'\n') _pos++;
                return EndOfLine();
            }
            if (AtLineEnd) return EndOfLine();

            var start = _s[_pos];
            if (start == (byte)',' || IsNonPrintable(start))
                return Fail($"invalid character {Show(start)} at the start of the measurement name");
            if (!TryReadToken(Token.Measurement, out var measurement)) return false;

            List<KeyValuePair<string, string>>? tags = null;
            while (_pos < _s.Length && _s[_pos] == (byte)',')
            {
                _pos++;
                if (!TryReadToken(Token.TagKey, out var key)) return false;
                if (key.Length == 0) return Fail("empty tag key");
                if (_pos >= _s.Length || _s[_pos] != (byte)'=') return Fail($"expected '=' after tag key \"{key}\", but found {ShowAt()}");
                _pos++;
                if (!TryReadToken(Token.TagValue, out var value)) return false;
                if (value.Length == 0) return Fail($"expected a value after tag key \"{key}\", but found {ShowAt()}");
                (tags ??= []).Add(new(key, value));
            }
            if (_pos >= _s.Length || _s[_pos] != (byte)' ')
                return Fail(tags is null ? $"expected a space and fields after the measurement, but found {ShowAt()}" : $"expected a tag or a space and fields, but found {ShowAt()}");
            SkipSpaces();

            var fields = new List<LineField>();
            while (true)
            {
                if (AtLineEnd) return Fail("expected a field key, but found " + ShowAt());
                if (!TryReadToken(Token.FieldKey, out var key)) return false;
                if (key.Length == 0) return Fail($"invalid character {ShowAt()} at the start of a field key");
                if (_pos >= _s.Length || _s[_pos] != (byte)'=') return Fail($"expected '=' after field key \"{key}\", but found {ShowAt()}");
                _pos++;
                if (!TryReadFieldValue(key, out var value)) return false;
                fields.Add(new LineField(key, value));
                if (_pos < _s.Length && _s[_pos] == (byte)',')
                {
                    _pos++;
                    continue;
                }
                break;
            }

            var time = _defaultTime;
            if (_pos < _s.Length && _s[_pos] == (byte)' ')
            {
                SkipSpaces();
                if (!AtLineEnd)
                {
                    if (!TryReadTimestamp(out time)) return false;
                    SkipSpaces();
                    if (!AtLineEnd) return Fail("unexpected text after the timestamp: " + ShowAt());
                }
            }
            else if (!AtLineEnd)
            {
                return Fail($"unexpected character {ShowAt()} after a field");
            }
            if (!EndOfLine()) return false;

            IReadOnlyList<KeyValuePair<string, string>> sorted = [];
            if (tags is not null)
            {
                tags.Sort(static (a, b) => string.CompareOrdinal(a.Key, b.Key));
                for (var i = 1; i < tags.Count; i++)
                    if (tags[i].Key == tags[i - 1].Key) return FailAtLine(line, $"duplicate tag key \"{tags[i].Key}\"");
                sorted = tags;
            }
            point = new LinePoint(line, time, measurement, sorted, fields);
            return true;
        }

        /// <summary>After a bad line: on to the start of the next one.</summary>
        public void SkipRestOfLine()
        {
            while (_pos < _s.Length && _s[_pos] != (byte)'\n') _pos++;
            if (_pos < _s.Length) NewLine();
        }

        private enum Token { Measurement, TagKey, TagValue, FieldKey }

        /// <summary>
        /// A name: up to an unescaped space or comma (and '=' for keys and tag values). A backslash escapes the
        /// token's special characters (space and comma; also '=' outside measurements); any other backslash is kept as
        /// it is, and a backslash before a backslash is itself literal (<c>\\,</c> reads as <c>\,</c>).
        /// </summary>
        private bool TryReadToken(Token kind, out string token)
        {
            token = "";
            var length = 0;
            var start = _pos;
            var escaped = false;
            while (_pos < _s.Length)
            {
                var b = _s[_pos];
                if (b == (byte)'\\')
                {
                    if (_pos + 1 >= _s.Length) return Fail("a backslash at the end of the input");
                    var next = _s[_pos + 1];
                    if (IsNonPrintable(next)) return Fail($"a backslash before {Show(next)}");
                    escaped = true;
                    if (IsSpecial(kind, next))
                    {
                        Append(ref length, next);
                        _pos += 2;
                    }
                    else
                    {
                        Append(ref length, b);
                        _pos++;
                    }
                    continue;
                }
                if (b == (byte)' ' || b == (byte)',' || (b == (byte)'=' && kind != Token.Measurement)) break;
                if (IsNonPrintable(b))
                {
                    // A line end is where the caller decides what was missing; anything else is never allowed here.
                    if (b == (byte)'\n' || b == (byte)'\r') break;
                    return Fail($"unexpected character {Show(b)} in {Describe(kind)}");
                }
                Append(ref length, b);
                _pos++;
            }
            var bytes = escaped ? _scratch.AsSpan(0, length) : _s[start.._pos];
            if (!Utf8.IsValid(bytes)) return Fail($"invalid UTF-8 in {Describe(kind)}", start);
            token = Encoding.UTF8.GetString(bytes);
            return true;
        }

        private static bool IsSpecial(Token kind, byte b) => b == (byte)' ' || b == (byte)',' || (b == (byte)'=' && kind != Token.Measurement);

        private static string Describe(Token kind) => kind switch
        {
            Token.Measurement => "the measurement",
            Token.TagKey => "a tag key",
            Token.TagValue => "a tag value",
            _ => "a field key",
        };

        private void Append(ref int length, byte b)
        {
            if (length == _scratch.Length)
            {
                var bigger = ArrayPool<byte>.Shared.Rent(_scratch.Length * 2);
                _scratch.AsSpan().CopyTo(bigger);
                ArrayPool<byte>.Shared.Return(_scratch);
                _scratch = bigger;
            }
            _scratch[length++] = b;
        }

        private bool TryReadFieldValue(string key, out FieldValue value)
        {
            value = default;
            if (AtLineEnd) return Fail($"expected a value for field \"{key}\", but found {ShowAt()}");
            if (_s[_pos] == (byte)'"') return TryReadString(key, out value);

            var start = _pos;
            while (_pos < _s.Length)
            {
                var b = _s[_pos];
                if (b == (byte)',' || b == (byte)' ' || b == (byte)'\n' || b == (byte)'\r') break;
                _pos++;
            }
            var token = _s[start.._pos];
            if (token.Length == 0) return Fail($"expected a value for field \"{key}\", but found {ShowAt()}");
            switch (token[^1])
            {
                case (byte)'i':
                {
                    var digits = token[..^1];
                    if (!IsInteger(digits, allowMinus: true)) return Fail($"invalid integer value for field \"{key}\"", start);
                    if (!long.TryParse(digits, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var integer))
                        return Fail($"integer value of field \"{key}\" is out of range", start);
                    value = FieldValue.Of(integer);
                    return true;
                }
                case (byte)'u':
                {
                    var digits = token[..^1];
                    if (!IsInteger(digits, allowMinus: false)) return Fail($"invalid unsigned integer value for field \"{key}\"", start);
                    if (!ulong.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var unsigned))
                        return Fail($"unsigned integer value of field \"{key}\" is out of range", start);
                    value = FieldValue.Of(unsigned);
                    return true;
                }
            }
            if (Boolean(token) is { } flag)
            {
                value = FieldValue.Of(flag);
                return true;
            }
            var first = token[0];
            if (first != (byte)'-' && first != (byte)'.' && !IsDigit(first))
                return Fail($"value of field \"{key}\" has no known type (float, 1i, 1u, true/false or \"string\")", start);
            if (!IsFloat(token)) return Fail($"invalid float value for field \"{key}\"", start);
            var number = double.Parse(token, NumberStyles.Float, CultureInfo.InvariantCulture);
            if (!double.IsFinite(number)) return Fail($"float value of field \"{key}\" is out of range", start);
            value = FieldValue.Of(number);
            return true;
        }

        /// <summary>A quoted string: <c>\"</c> and <c>\\</c> stand for themselves, <c>\n</c>, <c>\r</c>, <c>\t</c> for the control
        /// characters; any other backslash is kept. May span lines.</summary>
        private bool TryReadString(string key, out FieldValue value)
        {
            value = default;
            var open = _pos++;
            var length = 0;
            while (true)
            {
                if (_pos >= _s.Length) return Fail($"the string value of field \"{key}\" has no closing quote", open);
                var b = _s[_pos];
                if (b == (byte)'"') break;
                if (b == (byte)'\\' && _pos + 1 < _s.Length)
                {
                    var next = _s[_pos + 1];
                    byte? unescaped = next switch
                    {
                        (byte)'"' => (byte)'"',
                        (byte)'\\' => (byte)'\\',
                        (byte)'n' => (byte)'\n',
                        (byte)'r' => (byte)'\r',
                        (byte)'t' => (byte)'\t',
                        _ => null,
                    };
                    if (unescaped is { } u)
                    {
                        Append(ref length, u);
                        _pos += 2;
                        continue;
                    }
                }
                Append(ref length, b);
                if (b == (byte)'\n') NewLine();
                else _pos++;
            }
            _pos++;
            var bytes = _scratch.AsSpan(0, length);
            if (!Utf8.IsValid(bytes)) return Fail($"invalid UTF-8 in the string value of field \"{key}\"", open);
            value = FieldValue.Of(Encoding.UTF8.GetString(bytes));
            return true;
        }

        private bool TryReadTimestamp(out long time)
        {
            time = 0;
            var start = _pos;
            while (_pos < _s.Length && _s[_pos] != (byte)' ' && _s[_pos] != (byte)'\n' && _s[_pos] != (byte)'\r') _pos++;
            var token = _s[start.._pos];
            if (!IsInteger(token, allowMinus: true)) return Fail("invalid timestamp: " + Quote(token), start);
            if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var units))
                return Fail("timestamp out of range", start);
            try
            {
                time = checked(units * _unit);
            }
            catch (OverflowException)
            {
                return Fail("timestamp out of range for its precision", start);
            }
            return true;
        }

        /// <summary>Consumes the end of a line: <c>\n</c>, <c>\r\n</c>, or a <c>\r</c> that ends the input.</summary>
        private bool EndOfLine()
        {
            if (_pos >= _s.Length) return true;
            if (_s[_pos] == (byte)'\r')
            {
                if (_pos + 1 == _s.Length)
                {
                    _pos++;
                    return true;
                }
                if (_s[_pos + 1] != (byte)'\n') return Fail("a carriage return not followed by a line feed");
                _pos++;
            }
            NewLine();
            return true;
        }

        private void NewLine()
        {
            _pos++;
            _line++;
            _lineStart = _pos;
        }

        private void SkipSpaces()
        {
            while (_pos < _s.Length && _s[_pos] == (byte)' ') _pos++;
        }

        private bool Fail(string reason, int? at = null)
        {
            Error = new LineError(_line, (at ?? _pos) - _lineStart + 1, reason);
            return false;
        }

        private bool FailAtLine(int line, string reason)
        {
            Error = new LineError(line, 1, reason);
            return false;
        }

        private readonly string ShowAt() => _pos >= _s.Length ? "the end of the input" : Show(_s[_pos]);

        private static string Show(byte b) => b switch
        {
            (byte)'\n' => "the end of the line",
            (byte)'\r' => "'\\r'",
            (byte)'\t' => "'\\t'",
            _ when IsNonPrintable(b) => $"'\\x{b:x2}'",
            _ when b >= 0x80 => $"byte 0x{b:x2}",
            _ => $"'{(char)b}'",
        };

        private static string Quote(ReadOnlySpan<byte> token) =>
            "\"" + (token.Length > 40 ? Encoding.UTF8.GetString(token[..40]) + "..." : Encoding.UTF8.GetString(token)) + "\"";

        private static bool IsNonPrintable(byte b) => b < 0x20 || b == 0x7f;

        private static bool IsDigit(byte b) => b is >= (byte)'0' and <= (byte)'9';

        private static bool IsInteger(ReadOnlySpan<byte> token, bool allowMinus)
        {
            if (allowMinus && token.Length > 0 && token[0] == (byte)'-') token = token[1..];
            if (token.Length == 0) return false;
            foreach (var b in token)
                if (!IsDigit(b)) return false;
            return true;
        }

        /// <summary><c>[-] (digits ["." [digits]] [exponent] | "." digits [exponent])</c>, exponent <c>(e|E) [+|-] digits</c>.</summary>
        private static bool IsFloat(ReadOnlySpan<byte> token)
        {
            var i = 0;
            if (token[0] == (byte)'-') i++;
            var intDigits = Digits(token, ref i);
            var fracDigits = 0;
            if (i < token.Length && token[i] == (byte)'.')
            {
                i++;
                fracDigits = Digits(token, ref i);
            }
            if (intDigits == 0 && fracDigits == 0) return false;
            if (i < token.Length && (token[i] == (byte)'e' || token[i] == (byte)'E'))
            {
                i++;
                if (i < token.Length && (token[i] == (byte)'+' || token[i] == (byte)'-')) i++;
                if (Digits(token, ref i) == 0) return false;
            }
            return i == token.Length;
        }

        private static int Digits(ReadOnlySpan<byte> token, ref int i)
        {
            var start = i;
            while (i < token.Length && IsDigit(token[i])) i++;
            return i - start;
        }

        private static bool? Boolean(ReadOnlySpan<byte> token) => token switch
        {
            [(byte)'t'] or [(byte)'T'] => true,
            [(byte)'f'] or [(byte)'F'] => false,
            _ when token.SequenceEqual("true"u8) || token.SequenceEqual("True"u8) || token.SequenceEqual("TRUE"u8) => true,
            _ when token.SequenceEqual("false"u8) || token.SequenceEqual("False"u8) || token.SequenceEqual("FALSE"u8) => false,
            _ => null,
        };
    }
}
