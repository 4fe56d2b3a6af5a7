using System;
using System.IO;

namespace MlOps.Streams
{
    /// <summary>
    /// Writes a gzip file whose deflate data is stored, not compressed (RFC 1951 block type 0), for content of a length
    /// known in advance. Every gzip reader (Python's gzip and tarfile, .NET's GZipStream, gunzip) reads it; it costs a
    /// CRC-32 and five bytes per 64 KiB, and its exact length is known before the first byte is written
    /// (<see cref="LengthFor"/>), so it can be streamed into an upload that must declare its Content-Length.
    /// The content passes straight through (no copy); the stream throws if more or fewer bytes arrive than declared.
    /// </summary>
    internal sealed class StoredGzipStream : ForwardWriteStream, IDirectWrite
    {
        /// <summary>The largest stored block deflate allows.</summary>
        internal const int BlockSize = 65535;
        private const int HeaderLength = 10;
        private const int TrailerLength = 8;
        private const int BlockHeaderLength = 5;

        // ID1 ID2, CM = deflate, no flags, MTIME 0 (the same bytes for the same content), XFL 0, OS 255 (unknown) as Python writes.
        private static readonly byte[] Header = { 0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255 };
        private readonly Stream _output;
        private readonly long _contentLength;
        private readonly byte[] _blockHeader = new byte[BlockHeaderLength];
        private long _written;
        private long _blockLeft;
        private uint _crc;
        private bool _finished;
        private ArraySegment<byte> _lent;
        private byte[]? _scratch;

        public StoredGzipStream(Stream output, long contentLength)
        {
            if (contentLength < 0)
            {
                throw new ArgumentOutOfRangeException(nameof(contentLength));
            }

            _output = output;
            _contentLength = contentLength;
            _output.Write(Header, 0, Header.Length);
            if (contentLength == 0)
            {
                WriteBlockHeader();
            }
        }

        /// <summary>The number of bytes a gzip of <paramref name="contentLength"/> content bytes takes.</summary>
        public static long LengthFor(long contentLength)
        {
            var blocks = contentLength == 0 ? 1 : (contentLength + BlockSize - 1) / BlockSize;
            return HeaderLength + contentLength + (blocks * BlockHeaderLength) + TrailerLength;
        }

        public override long Position { get => _written; set => throw new NotSupportedException(); }

        public override void Write(byte[] buffer, int offset, int count)
        {
            if (count > _contentLength - _written)
            {
                throw new InvalidDataException($"The archive has more than the {_contentLength} bytes expected.");
            }

            _crc = Crc32.Append(_crc, buffer, offset, count);
            while (count > 0)
            {
                if (_blockLeft == 0)
                {
                    WriteBlockHeader();
                }

                var n = (int)Math.Min(count, _blockLeft);
                _output.Write(buffer, offset, n);
                offset += n;
                count -= n;
                _written += n;
                _blockLeft -= n;
            }
        }

        /// <summary>
        /// Lends the underlying stream's buffer when it has one (else a buffer of this stream's), never across a block
        /// boundary, so the block header before it is already written.
        /// </summary>
        public ArraySegment<byte> GetSpace(int max)
        {
            var left = _contentLength - _written;
            if (left == 0)
            {
                throw new InvalidDataException($"The archive has more than the {_contentLength} bytes expected.");
            }

            if (_blockLeft == 0)
            {
                WriteBlockHeader();
            }

            var size = (int)Math.Min(Math.Max(1, max), _blockLeft);
            if (_output is IDirectWrite direct)
            {
                _lent = direct.GetSpace(size);
            }
            else
            {
                if (_scratch == null || _scratch.Length < size)
                {
                    _scratch = new byte[size];
                }

                _lent = new ArraySegment<byte>(_scratch, 0, size);
            }

            return _lent;
        }

        public void Commit(int count)
        {
            if (count < 0 || count > _lent.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(count));
            }

            _crc = Crc32.Append(_crc, _lent.Array!, _lent.Offset, count);
            if (_output is IDirectWrite direct)
            {
                direct.Commit(count);
            }
            else
            {
                _output.Write(_lent.Array!, _lent.Offset, count);
            }

            _written += count;
            _blockLeft -= count;
            _lent = default;
        }

        /// <summary>Writes the trailer (CRC-32 and length); throws if fewer bytes were written than declared.</summary>
        public void Finish()
        {
            if (_finished)
            {
                return;
            }

            if (_written != _contentLength)
            {
                throw new InvalidDataException($"The archive has {_written} bytes, not the {_contentLength} expected.");
            }

            var trailer = new byte[TrailerLength];
            WriteUInt32(trailer, 0, _crc);
            WriteUInt32(trailer, 4, (uint)_contentLength);
            _output.Write(trailer, 0, trailer.Length);
            _finished = true;
        }

        public override void Flush() => _output.Flush();

        private void WriteBlockHeader()
        {
            var length = (int)Math.Min(BlockSize, _contentLength - _written);
            _blockHeader[0] = (byte)(_written + length == _contentLength ? 1 : 0);
            _blockHeader[1] = (byte)length;
            _blockHeader[2] = (byte)(length >> 8);
            _blockHeader[3] = (byte)~length;
            _blockHeader[4] = (byte)(~length >> 8);
            _output.Write(_blockHeader, 0, BlockHeaderLength);
            _blockLeft = length;
        }

        private static void WriteUInt32(byte[] target, int offset, uint value)
        {
            target[offset] = (byte)value;
            target[offset + 1] = (byte)(value >> 8);
            target[offset + 2] = (byte)(value >> 16);
            target[offset + 3] = (byte)(value >> 24);
        }
    }
}
