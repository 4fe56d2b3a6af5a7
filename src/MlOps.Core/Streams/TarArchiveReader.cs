using System;
using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using System.IO;
using System.Text;

namespace MlOps.Streams
{
    /// <summary>
    /// Reads the regular files of a tar archive from a stream, in order, without buffering them: ustar and GNU headers,
    /// PAX extended headers (path, size) and GNU long names, as Python's tarfile and shutil.make_archive write them.
    /// Directory entries are collected (<see cref="Directories"/>); link and device entries are skipped; names are normalised ("./a/b" is "a/b") and names that would
    /// escape the archive ("../x", absolute paths) are refused.
    /// </summary>
    public sealed class TarArchiveReader
    {
        private const int Block = 512;
        private readonly Stream _input;

        public TarArchiveReader(Stream input)
        {
            _input = input;
        }

        private readonly List<string> _directories = new List<string>();

        /// <summary>The folders the archive's directory entries name (normalised), as read so far.</summary>
        public IReadOnlyList<string> Directories => _directories;

        /// <summary>The files in the archive; each entry's stream is valid until the next is read.</summary>
        public IEnumerable<(string Path, long Length, Stream Content)> ReadFiles()
        {
            string? longName = null;
            long? paxSize = null;
            var header = new byte[Block];
            while (true)
            {
                if (!ReadBlock(header))
                {
                    yield break;
                }

                if (IsZero(header))
                {
                    yield break;
                }

                var type = (char)header[156];
                var size = ParseOctal(header, 124, 12);
                switch (type)
                {
                    case 'x':
                        foreach (var pair in ParsePax(ReadData(size)))
                        {
                            if (pair.Key == "path")
                            {
                                longName = pair.Value;
                            }
                            else if (pair.Key == "size")
                            {
                                paxSize = long.Parse(pair.Value, CultureInfo.InvariantCulture);
                            }
                        }

                        continue;
                    case 'g':
                        ReadData(size);
                        continue;
                    case 'L':
                        longName = Encoding.UTF8.GetString(ReadData(size)).TrimEnd('\0');
                        continue;
                }

                var name = longName ?? HeaderName(header);
                var length = paxSize ?? size;
                longName = null;
                paxSize = null;
                if (type == '5')
                {
                    // The root ("./") names no folder of its own; a name that escapes the archive is refused like a file's.
                    if (name.Replace('\\', '/').Split('/').Any(p => p.Length > 0 && p != "."))
                    {
                        _directories.Add(Normalise(name));
                    }

                    continue;
                }

                if (type != '0' && type != '\0' && type != '7')
                {
                    Skip(length);
                    continue;
                }

                var path = Normalise(name);
                var content = new BoundedStream(_input, length);
                yield return (path, length, content);
                content.SkipRest();
                SkipPadding(length);
            }
        }

        public static string Normalise(string name)
        {
            var parts = new List<string>();
            foreach (var part in name.Replace('\\', '/').Split('/'))
            {
                if (part.Length == 0 || part == ".")
                {
                    continue;
                }

                if (part == "..")
                {
                    throw new InvalidDataException($"The archive entry '{name}' points outside the archive.");
                }

                parts.Add(part);
            }

            if (parts.Count == 0 || name.StartsWith("/", StringComparison.Ordinal))
            {
                throw new InvalidDataException($"The archive entry '{name}' is not a relative file path.");
            }

            return string.Join("/", parts);
        }

        private static string HeaderName(byte[] header)
        {
            var name = Text(header, 0, 100);
            var magic = Text(header, 257, 6);
            if (magic.StartsWith("ustar", StringComparison.Ordinal))
            {
                var prefix = Text(header, 345, 155);
                if (prefix.Length > 0)
                {
                    name = prefix + "/" + name;
                }
            }

            return name;
        }

        private static IEnumerable<KeyValuePair<string, string>> ParsePax(byte[] data)
        {
            var position = 0;
            while (position < data.Length)
            {
                var space = Array.IndexOf(data, (byte)' ', position);
                if (space < 0)
                {
                    yield break;
                }

                var length = int.Parse(Encoding.ASCII.GetString(data, position, space - position), CultureInfo.InvariantCulture);
                var record = Encoding.UTF8.GetString(data, space + 1, length - (space - position) - 2);
                var equals = record.IndexOf('=');
                if (equals > 0)
                {
                    yield return new KeyValuePair<string, string>(record.Substring(0, equals), record.Substring(equals + 1));
                }

                position += length;
            }
        }

        private byte[] ReadData(long size)
        {
            if (size > 1 << 20)
            {
                throw new InvalidDataException("A tar extended header is implausibly large.");
            }

            var data = new byte[size];
            ReadExactly(data, (int)size);
            SkipPadding(size);
            return data;
        }

        private void Skip(long length)
        {
            new BoundedStream(_input, length).SkipRest();
            SkipPadding(length);
        }

        private void SkipPadding(long length)
        {
            var remainder = (int)(length % Block);
            if (remainder != 0)
            {
                ReadExactly(new byte[Block - remainder], Block - remainder);
            }
        }

        private bool ReadBlock(byte[] block)
        {
            var filled = 0;
            while (filled < Block)
            {
                var n = _input.Read(block, filled, Block - filled);
                if (n == 0)
                {
                    if (filled == 0)
                    {
                        return false;
                    }

                    throw new InvalidDataException("The archive ends in the middle of a header.");
                }

                filled += n;
            }

            return true;
        }

        private void ReadExactly(byte[] buffer, int count)
        {
            var filled = 0;
            while (filled < count)
            {
                var n = _input.Read(buffer, filled, count - filled);
                if (n == 0)
                {
                    throw new InvalidDataException("The archive ends early.");
                }

                filled += n;
            }
        }

        private static bool IsZero(byte[] block)
        {
            foreach (var b in block)
            {
                if (b != 0)
                {
                    return false;
                }
            }

            return true;
        }

        private static string Text(byte[] header, int offset, int length)
        {
            var end = Array.IndexOf(header, (byte)0, offset, length);
            return Encoding.UTF8.GetString(header, offset, (end < 0 ? offset + length : end) - offset);
        }

        private static long ParseOctal(byte[] header, int offset, int length)
        {
            if ((header[offset] & 0x80) != 0)
            {
                // GNU base-256 for sizes of 8 GiB and more.
                long value = header[offset] & 0x7f;
                for (var i = offset + 1; i < offset + length; i++)
                {
                    value = (value << 8) | header[i];
                }

                return value;
            }

            var text = Text(header, offset, length).Trim(' ', '\0');
            return text.Length == 0 ? 0 : Convert.ToInt64(text, 8);
        }

        /// <summary>A read-only window of the next <c>length</c> bytes of the archive stream.</summary>
        private sealed class BoundedStream : ForwardReadStream
        {
            private readonly Stream _inner;
            private long _remaining;

            public BoundedStream(Stream inner, long length)
            {
                _inner = inner;
                _remaining = length;
            }

            public override int Read(byte[] buffer, int offset, int count)
            {
                if (_remaining <= 0)
                {
                    return 0;
                }

                var n = _inner.Read(buffer, offset, (int)Math.Min(count, _remaining));
                if (n == 0)
                {
                    throw new InvalidDataException("The archive ends in the middle of a file.");
                }

                _remaining -= n;
                return n;
            }

            public void SkipRest()
            {
                var buffer = new byte[81920];
                while (Read(buffer, 0, buffer.Length) > 0)
                {
                }
            }
        }
    }
}
