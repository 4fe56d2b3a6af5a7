using System;
using System.Collections.Generic;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace MlOps.Streams
{
    /// <summary>
    /// Cuts an archive, as it is written, into the parts of a multipart upload, each spooled to a temporary file: CDF
    /// wants every part's size up front and a failed part must be sent again byte for byte, while the hashes of the
    /// files in it were taken as they were written. At most two parts are on disk — the one being written and the one
    /// being uploaded — and the writer waits while the uploader is a part behind. Either side can fail the spool, which
    /// stops the other; disposing deletes whatever part files are left.
    /// </summary>
    internal sealed class PartSpool : ForwardWriteStream
    {
        private readonly object _gate = new object();
        private readonly string _folder;
        private readonly long _partSize;
        private readonly Queue<string> _ready = new Queue<string>();
        private readonly List<string> _created = new List<string>();
        private readonly CancellationTokenRegistration _cancellation;
        private FileStream? _current;
        private long _currentLength;
        private ExceptionDispatchInfo? _failure;
        private bool _completed;

        public PartSpool(string folder, long partSize, CancellationToken cancellationToken)
        {
            _folder = folder;
            _partSize = partSize;
            _cancellation = cancellationToken.Register(() => Fail(new OperationCanceledException(cancellationToken)));
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            while (count > 0)
            {
                if (_current == null)
                {
                    ThrowIfFailed();
                    var path = Path.Combine(_folder, "mlops-part-" + Guid.NewGuid().ToString("N") + ".bin");
                    lock (_gate)
                    {
                        _created.Add(path);
                    }

                    _current = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read, 1, FileOptions.None);
                    _currentLength = 0;
                }

                var n = (int)Math.Min(count, _partSize - _currentLength);
                _current.Write(buffer, offset, n);
                _currentLength += n;
                offset += n;
                count -= n;
                if (_currentLength == _partSize)
                {
                    FinishPart();
                }
            }
        }

        /// <summary>Writer: hands over the last (possibly short) part; nothing more follows.</summary>
        public void Complete()
        {
            if (_current != null)
            {
                FinishPart();
            }

            lock (_gate)
            {
                _failure?.Throw();
                _completed = true;
                Monitor.PulseAll(_gate);
            }
        }

        /// <summary>Uploader: the next part's file (delete it when sent), waiting for it; null once all were taken.</summary>
        public string? Take()
        {
            lock (_gate)
            {
                while (true)
                {
                    _failure?.Throw();
                    if (_ready.Count > 0)
                    {
                        var path = _ready.Dequeue();
                        Monitor.PulseAll(_gate);
                        return path;
                    }

                    if (_completed)
                    {
                        return null;
                    }

                    Monitor.Wait(_gate);
                }
            }
        }

        /// <summary>Either side: stops the spool; the first failure is what every later call throws.</summary>
        public void Fail(Exception failure)
        {
            lock (_gate)
            {
                if (_failure == null)
                {
                    _failure = ExceptionDispatchInfo.Capture(failure);
                }

                Monitor.PulseAll(_gate);
            }
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                _cancellation.Dispose();
                _current?.Dispose();
                _current = null;
                List<string> created;
                lock (_gate)
                {
                    created = new List<string>(_created);
                }

                foreach (var path in created)
                {
                    try
                    {
                        File.Delete(path);
                    }
                    catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
                    {
                        // Best effort: a temp file left behind.
                    }
                }
            }

            base.Dispose(disposing);
        }

        private void FinishPart()
        {
            var path = _current!.Name;
            _current.Dispose();
            _current = null;
            lock (_gate)
            {
                _failure?.Throw();
                _ready.Enqueue(path);
                Monitor.PulseAll(_gate);

                // The next part is started once the uploader has taken this one (it deletes a part before taking the next).
                while (_ready.Count > 0 && _failure == null)
                {
                    Monitor.Wait(_gate);
                }

                _failure?.Throw();
            }
        }

        private void ThrowIfFailed()
        {
            lock (_gate)
            {
                _failure?.Throw();
            }
        }
    }
}
