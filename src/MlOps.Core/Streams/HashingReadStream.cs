using System;
using System.IO;
using System.Security.Cryptography;

namespace MlOps.Streams
{
    /// <summary>Passes reads through while computing the SHA-256 of everything read.</summary>
    internal sealed class HashingReadStream : ForwardReadStream
    {
        private readonly Stream _inner;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private readonly Action<int>? _onRead;
        private string? _result;

        /// <param name="inner">The stream read.</param>
        /// <param name="onRead">Told the size of each read (progress), on the reading thread.</param>
        public HashingReadStream(Stream inner, Action<int>? onRead = null)
        {
            _inner = inner;
            _onRead = onRead;
        }

        /// <summary>The hash of all bytes read; read to the end first.</summary>
        public string Sha256 => _result ??= Hex.Lower(_hash.GetHashAndReset());

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = _inner.Read(buffer, offset, count);
            if (n > 0)
            {
                _hash.AppendData(buffer, offset, n);
                _onRead?.Invoke(n);
            }

            return n;
        }

        /// <summary>Reads (and hashes) whatever is left.</summary>
        public void Drain()
        {
            var buffer = new byte[81920];
            while (Read(buffer, 0, buffer.Length) > 0)
            {
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _hash.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
