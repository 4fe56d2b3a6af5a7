using System;
using System.IO;
using System.Text;

namespace MlOps.Registry
{
    /// <summary>
    /// Writes a tar archive (POSIX ustar, with a PAX header for names longer than ustar allows) to a stream, one
    /// file at a time, streaming each file's bytes. Entries carry fixed times, owners and modes, so the same files
    /// give the same archive. This is the format akerbp.mlops stores model versions in (gzipped, in CDF Files).
    /// </summary>
    public sealed class TarArchiveWriter : IDisposable
    {
        private const int Block = 512;
        private readonly Stream _output;
        private readonly byte[] _buffer = new byte[81920];
        private bool _finished;

        public TarArchiveWriter(Stream output)
        {
            _output = output;
        }

        /// <summary>Appends a regular file; <paramref name="content"/> must yield exactly <paramref name="length"/> bytes.</summary>
        public void WriteFile(string path, long length, Stream content)
        {
            var name = path.Replace('\\', '/').TrimStart('/');
            if (Encoding.UTF8.GetByteCount(name) > 100 || !IsAscii(name))
            {
                WritePaxHeader(name);
            }

            _output.Write(Header(Truncate(name, 100), length, '0'), 0, Block);
            long written = 0;
            int read;
            while ((read = content.Read(_buffer, 0, _buffer.Length)) > 0)
            {
                written += read;
                if (written > length)
                {
                    throw new InvalidDataException($"'{path}' grew while it was archived.");
                }

                _output.Write(_buffer, 0, read);
            }

            if (written != length)
            {
                throw new InvalidDataException($"'{path}' has {written} bytes, not the {length} expected.");
            }

            Pad(length);
        }

        /// <summary>Writes the two empty blocks that end an archive.</summary>
        public void Finish()
        {
            if (!_finished)
            {
                _output.Write(new byte[Block * 2], 0, Block * 2);
                _finished = true;
            }
        }

        public void Dispose() => Finish();

        private void WritePaxHeader(string name)
        {
            // "%d path=%s\n" where %d counts the whole record, its own digits included.
            var body = " path=" + name + "\n";
            var bodyBytes = Encoding.UTF8.GetByteCount(body);
            var length = bodyBytes + 1;
            while ((length.ToString().Length + bodyBytes) != length)
            {
                length = length.ToString().Length + bodyBytes;
            }

            var record = Encoding.UTF8.GetBytes(length + body);
            _output.Write(Header("PaxHeader", record.Length, 'x'), 0, Block);
            _output.Write(record, 0, record.Length);
            Pad(record.Length);
        }

        private void Pad(long length)
        {
            var remainder = (int)(length % Block);
            if (remainder != 0)
            {
                _output.Write(new byte[Block - remainder], 0, Block - remainder);
            }
        }

        private static byte[] Header(string name, long size, char type)
        {
            var header = new byte[Block];
            Put(header, 0, 100, name);
            Put(header, 100, 8, "0000644");
            Put(header, 108, 8, "0000000");
            Put(header, 116, 8, "0000000");
            Put(header, 124, 12, Convert.ToString(size, 8).PadLeft(11, '0'));
            Put(header, 136, 12, "00000000000");
            header[156] = (byte)type;
            Put(header, 257, 6, "ustar");
            Put(header, 263, 2, "00");
            for (var i = 148; i < 156; i++)
            {
                header[i] = (byte)' ';
            }

            var sum = 0;
            foreach (var b in header)
            {
                sum += b;
            }

            Put(header, 148, 7, Convert.ToString(sum, 8).PadLeft(6, '0'));
            header[154] = 0;
            header[155] = (byte)' ';
            return header;
        }

        private static void Put(byte[] header, int offset, int length, string text)
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            Array.Copy(bytes, 0, header, offset, Math.Min(bytes.Length, length));
        }

        private static string Truncate(string name, int bytes)
        {
            while (Encoding.UTF8.GetByteCount(name) > bytes)
            {
                name = name.Substring(0, name.Length - 1);
            }

            return name;
        }

        private static bool IsAscii(string text)
        {
            foreach (var c in text)
            {
                if (c > 127)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
