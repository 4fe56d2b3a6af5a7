using System;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Threading;
using System.Threading.Tasks;

namespace MlOps.Streams
{
    /// <summary>
    /// Reads a stream (a download) ahead on another thread into a few buffers, so receiving the next bytes overlaps with
    /// what the reader does with the last ones (unpacking, hashing, writing). Memory stays at the buffers. A failure of
    /// the inner stream is thrown, as it was, by the read that reaches it, after the bytes that came before it. Disposing stops the read-ahead and disposes the
    /// inner stream.
    /// </summary>
    internal sealed class ReadAheadStream : ForwardReadStream
    {
        internal const int BufferSize = 1 << 20;
        internal const int BufferCount = 4;
        private readonly Stream _inner;
        private readonly BufferQueue _queue;
        private readonly Task _producer;
        private byte[]? _current;
        private int _count;
        private int _offset;
        private volatile ExceptionDispatchInfo? _innerFailure;
        private bool _ended;
        private bool _disposed;

        public ReadAheadStream(Stream inner, CancellationToken cancellationToken)
        {
            _inner = inner;
            var buffers = new byte[BufferCount][];
            for (var i = 0; i < buffers.Length; i++)
            {
                buffers[i] = new byte[BufferSize];
            }

            _queue = new BufferQueue(buffers, cancellationToken);
            _producer = Task.Factory.StartNew(Produce, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        private void Produce()
        {
            try
            {
                while (true)
                {
                    var buffer = _queue.Rent();
                    var filled = 0;
                    int n;
                    while (filled < buffer.Length && (n = _inner.Read(buffer, filled, buffer.Length - filled)) > 0)
                    {
                        filled += n;
                    }

                    if (filled == 0)
                    {
                        _queue.Return(buffer);
                        _queue.Complete();
                        return;
                    }

                    _queue.Publish(buffer, filled);
                }
            }
            catch (Exception e) when (!_queue.IsFailed)
            {
                // The bytes read before the failure are still delivered; the reader gets the failure where they end.
                _innerFailure = ExceptionDispatchInfo.Capture(e);
                try
                {
                    _queue.Complete();
                }
                catch (Exception)
                {
                    // Failed meanwhile (disposed, cancelled): the reader gets that.
                }
            }
            catch (Exception)
            {
                // Stopped by the reader (disposed) or cancelled: the queue carries that.
            }
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(ReadAheadStream));
            }

            if (count == 0 || _ended)
            {
                return 0;
            }

            while (_current == null || _offset == _count)
            {
                if (_current != null)
                {
                    _queue.Return(_current);
                    _current = null;
                }

                if (!_queue.Take(out var next, out var filled))
                {
                    _innerFailure?.Throw();
                    _ended = true;
                    return 0;
                }

                _current = next;
                _count = filled;
                _offset = 0;
            }

            var copied = Math.Min(count, _count - _offset);
            Buffer.BlockCopy(_current, _offset, buffer, offset, copied);
            _offset += copied;
            return copied;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                _queue.Fail(new ObjectDisposedException(nameof(ReadAheadStream)));
                _inner.Dispose();   // unblocks a read under way
                try
                {
                    _producer.Wait(TimeSpan.FromSeconds(30));
                }
                catch (AggregateException)
                {
                }

                _queue.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
