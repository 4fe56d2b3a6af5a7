using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;

namespace MlOps.Streams
{
    /// <summary>
    /// Writes a tar archive (POSIX ustar, with a PAX header for names longer than ustar allows) to a stream, one
    /// file at a time, streaming each file's bytes. Entries carry fixed times, owners and modes, so the same files
    /// give the same archive. This is the format akerbp.mlops stores model versions in (gzipped, in CDF Files).
    /// </summary>
    public sealed class TarArchiveWriter : IDisposable
    {
        private const int Block = 512;

        /// <summary>The two empty blocks that end an archive.</summary>
        public const int EndLength = Block * 2;

        private readonly Stream _output;
        private readonly byte[] _buffer;
        private bool _finished;

        /// <param name="output">Where the archive goes.</param>
        /// <param name="bufferSize">The size of the one buffer file content is read into (a few hundred KiB keeps it in the CPU's cache).</param>
        public TarArchiveWriter(Stream output, int bufferSize = 81920)
        {
            _output = output;
            _buffer = new byte[bufferSize];
        }

        /// <summary>The number of bytes <see cref="WriteFile"/> writes for a file of <paramref name="length"/> bytes.</summary>
        public static long EntryLength(string path, long length)
        {
            var name = Normalize(path);
            long header = Block;
            if (NeedsPax(name))
            {
                header += Block + Padded(PaxRecord(name).Length);
            }

            return header + Padded(length);
        }

        /// <summary>The exact length of the archive of these files and empty folders (entries and the end blocks).</summary>
        public static long ArchiveLength(IEnumerable<(string Path, long Length)> files, IEnumerable<string>? emptyFolders = null)
        {
            long total = EndLength;
            foreach (var folder in emptyFolders ?? Array.Empty<string>())
            {
                total += EntryLength(folder + "/", 0);
            }

            foreach (var file in files)
            {
                total += EntryLength(file.Path, file.Length);
            }

            return total;
        }

        /// <summary>Appends a directory entry (type 5, the name ending in '/'), as tar and akerbp.mlops's archives keep folders.</summary>
        public void WriteDirectory(string path)
        {
            var name = Normalize(path).TrimEnd('/') + "/";
            if (NeedsPax(name))
            {
                WritePaxHeader(name);
            }

            _output.Write(Header(Truncate(name, 100), 0, '5'), 0, Block);
        }

        /// <summary>Appends a regular file; <paramref name="content"/> must yield exactly <paramref name="length"/> bytes.</summary>
        public void WriteFile(string path, long length, Stream content)
        {
            var name = Normalize(path);
            if (NeedsPax(name))
            {
                WritePaxHeader(name);
            }

            _output.Write(Header(Truncate(name, 100), length, '0'), 0, Block);
            if (_output is IDirectWrite direct)
            {
                WriteDirect(path, length, content, direct);
                return;
            }

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

        /// <summary>Reads the content straight into the output's buffers (no copy), then checks that it ends where expected.</summary>
        private void WriteDirect(string path, long length, Stream content, IDirectWrite direct)
        {
            long written = 0;
            while (written < length)
            {
                var space = direct.GetSpace((int)Math.Min(_buffer.Length, length - written));
                var read = content.Read(space.Array!, space.Offset, space.Count);
                if (read == 0)
                {
                    throw new InvalidDataException($"'{path}' has {written} bytes, not the {length} expected.");
                }

                direct.Commit(read);
                written += read;
            }

            if (content.Read(_buffer, 0, 1) > 0)
            {
                throw new InvalidDataException($"'{path}' grew while it was archived.");
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
            var record = PaxRecord(name);
            _output.Write(Header("PaxHeader", record.Length, 'x'), 0, Block);
            _output.Write(record, 0, record.Length);
            Pad(record.Length);
        }

        private static string Normalize(string path) => path.Replace('\\', '/').TrimStart('/');

        private static bool NeedsPax(string name) => Encoding.UTF8.GetByteCount(name) > 100 || !IsAscii(name);

        /// <summary>"%d path=%s\n" where %d counts the whole record, its own digits included.</summary>
        private static byte[] PaxRecord(string name)
        {
            var body = " path=" + name + "\n";
            var bodyBytes = Encoding.UTF8.GetByteCount(body);
            var length = bodyBytes + 1;
            while ((length.ToString(CultureInfo.InvariantCulture).Length + bodyBytes) != length)
            {
                length = length.ToString(CultureInfo.InvariantCulture).Length + bodyBytes;
            }

            return Encoding.UTF8.GetBytes(length.ToString(CultureInfo.InvariantCulture) + body);
        }

        private static long Padded(long length) => (length + Block - 1) / Block * Block;

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
