using System;
using System.Management.Automation;
using System.Threading;
using MlOps.Diagnostics;
using MlOps.Settings;

namespace MlOps.PowerShell.Infrastructure
{
    /// <summary>
    /// What every MlOps cmdlet shares: finding the project's settings from PowerShell's current location, a
    /// reporter that forwards engine messages to the verbose, warning and progress streams, cancellation on
    /// Ctrl+C, and the translation of engine errors into ErrorRecords.
    /// </summary>
    public abstract class MlOpsCmdlet : PSCmdlet
    {
        /// <summary>A host that loads the assembly without importing the module still finds MlOps's dependencies.</summary>
        static MlOpsCmdlet() => DependencyLoader.Register();

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private ProjectSettings? _settings;
        private MlOps.Cdf.CdfConnections? _connections;
        private System.Collections.Concurrent.BlockingCollection<Action>? _workerQueue;
        private int _pipelineThread;

        /// <summary>
        /// The project's settings file (or its folder). Default: $env:MLOPS_SETTINGS, else the nearest
        /// mlops.settings.json in the current location or above.
        /// </summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? SettingsPath { get; set; }

        protected CancellationToken Cancellation => _stopping.Token;

        protected IOperationReporter Reporter => new CmdletReporter(this);

        /// <summary>The current file-system location of the PowerShell session (not the process's working folder).</summary>
        protected string CurrentFolder => SessionState.Path.CurrentFileSystemLocation.ProviderPath;

        /// <summary>Resolves a user-supplied path against the session's location, allowing paths that do not exist yet.</summary>
        protected string ResolvePath(string path) => SessionState.Path.GetUnresolvedProviderPathFromPSPath(path);

        protected string LocateSettings() =>
            SettingsLoader.Locate(SettingsPath == null ? null : ResolvePath(SettingsPath), CurrentFolder);

        /// <summary>
        /// The validated settings, loaded once per command. Settings warnings (such as a dev artifact folder not created yet)
        /// go to the verbose stream here: Test-MlSetting is where they are shown as warnings.
        /// </summary>
        protected ProjectSettings Settings
        {
            get
            {
                if (_settings == null)
                {
                    _settings = SettingsLoader.Load(LocateSettings());
                    foreach (var warning in _settings.Warnings)
                    {
                        WriteVerbose("Settings: " + warning);
                    }
                }

                return _settings;
            }
        }

        /// <summary>-Environment if given, else $env:ENV / $env:MODEL_ENV, else an EnvironmentNotSpecified error.</summary>
        protected string RequireEnvironment(string? environment)
        {
            var name = SettingsLoader.ResolveEnvironmentName(environment);
            if (name == null)
            {
                throw new MlOpsException(ErrorIds.EnvironmentNotSpecified, MlOpsErrorKind.InvalidArgument,
                    "No environment was given.", null, "Pass -Environment (dev, test, prod …) or set $env:ENV.");
            }

            return Settings.GetEnvironment(name).Name;
        }

        /// <summary>True when the user turned confirmation off explicitly with -Confirm:$false.</summary>
        protected bool ConfirmTurnedOff =>
            MyInvocation.BoundParameters.TryGetValue("Confirm", out var value) && value is SwitchParameter confirm && !confirm.IsPresent;

        protected override void StopProcessing() => _stopping.Cancel();

        /// <summary>
        /// This command's CDF connections: the module's pool (clients and secrets kept for the session), with vault secrets
        /// read through Get-Secret on this command's pipeline thread, whichever thread of the command asks.
        /// </summary>
        protected MlOps.Cdf.CdfConnections Connections =>
            _connections ??= new MlOps.Cdf.CdfConnections(MlOpsModule.Pool, ReadVaultSecretFromAnyThread);

        /// <summary>The project's registries, through this command's CDF connections.</summary>
        protected MlOps.Registry.ProjectRegistry NewRegistry() => new MlOps.Registry.ProjectRegistry(Settings, Connections);

        /// <summary>The project's deployer, through this command's CDF connections.</summary>
        protected MlOps.Deployment.ServiceDeployer NewDeployer() => new MlOps.Deployment.ServiceDeployer(Settings, connections: Connections);

        /// <summary>
        /// Get-Secret can only run on the pipeline thread: while <see cref="RunOnWorker{T}"/> runs, a worker (or a task it
        /// started) asks through the queue the pipeline thread drains; otherwise the pipeline thread itself is asking.
        /// </summary>
        private string ReadVaultSecretFromAnyThread(string name, string? vault)
        {
            var queue = _workerQueue;
            return queue != null && Thread.CurrentThread.ManagedThreadId != _pipelineThread
                ? OnPipelineThread(queue, () => ReadVaultSecret(name, vault))
                : ReadVaultSecret(name, vault);
        }

        /// <summary>Reads a SecretManagement secret with Get-Secret; call it on the pipeline thread.</summary>
        protected string ReadVaultSecret(string name, string? vault)
        {
            if (InvokeCommand.GetCommand("Get-Secret", CommandTypes.Cmdlet | CommandTypes.Function) == null)
            {
                throw new MlOpsException(MlOps.Cdf.CdfConnections.SecretMissing, MlOpsErrorKind.NotInstalled,
                    $"The settings name the vault secret '{name}', but Get-Secret (Microsoft.PowerShell.SecretManagement) is not available.", name,
                    "Install-PSResource Microsoft.PowerShell.SecretManagement and register a vault, or set the environment variable the settings name.");
            }

            try
            {
                var script = vault == null
                    ? "param($n) Get-Secret -Name $n -AsPlainText -ErrorAction Stop"
                    : "param($n, $v) Get-Secret -Name $n -Vault $v -AsPlainText -ErrorAction Stop";
                var result = InvokeCommand.NewScriptBlock(script).Invoke(name, vault);
                var text = result.Count > 0 ? result[0]?.BaseObject as string : null;
                return !string.IsNullOrEmpty(text) ? text! : throw new MlOpsException(MlOps.Cdf.CdfConnections.SecretMissing,
                    MlOpsErrorKind.SecurityError, $"The vault secret '{name}' is empty.", name);
            }
            catch (RuntimeException e)
            {
                throw new MlOpsException(MlOps.Cdf.CdfConnections.SecretMissing, MlOpsErrorKind.SecurityError,
                    $"The vault secret '{name}'{(vault == null ? string.Empty : $" in vault '{vault}'")} cannot be read: {e.Message}", name,
                    "Check the name with Get-SecretInfo, and unlock the vault (Unlock-SecretStore) if it is locked.", e);
            }
        }

        /// <summary>
        /// ShouldProcess, and for a protected environment (prod) also an explicit confirmation, unless -Force or -Confirm:$false.
        /// A non-interactive session therefore has to say -Confirm:$false (or -Force) to change prod.
        /// </summary>
        protected bool ApproveChange(string environment, string target, string action, bool force)
        {
            if (!ShouldProcess(target, action))
            {
                return false;
            }

            var isProtected = Settings.GetEnvironment(environment).IsProtected;
            var alreadyAsked = MyInvocation.BoundParameters.ContainsKey("Confirm");
            if (!isProtected || force || ConfirmTurnedOff || alreadyAsked)
            {
                return true;
            }

            try
            {
                return ShouldContinue($"{action}: {target}. '{environment}' is a protected environment; continue?", "Confirm change to " + environment);
            }
            catch (Exception e) when (e is PSInvalidOperationException || e is System.Management.Automation.Host.HostException)
            {
                // A non-interactive session (a CI step, pwsh -NonInteractive) cannot be asked: say which switch says yes.
                throw new MlOpsException(ErrorIds.ConfirmationRequired, MlOpsErrorKind.InvalidOperation,
                    $"{action}: {target}. '{environment}' is a protected environment, and this session cannot ask for confirmation (it is not interactive).",
                    target, "Pass -Confirm:$false (or -Force) to make the change from a script or CI step.", e);
            }
        }

        /// <summary>
        /// The ErrorRecord for an engine error: its stable id, category and target, and always a recommended action (the
        /// error's own, else the one for its id).
        /// </summary>
        protected internal static ErrorRecord ToErrorRecord(MlOpsException error)
        {
            return new ErrorRecord(error, error.ErrorId, Category(error.Kind), error.Target)
            {
                ErrorDetails = new ErrorDetails(error.Message) { RecommendedAction = error.RecommendedAction ?? RecommendedActions.For(error.ErrorId) },
            };
        }

        /// <summary>Runs <paramref name="action"/>, reporting an engine error as a non-terminating error and going on with the next input.</summary>
        protected void Try(Action action) => Guard(action, terminating: false);

        /// <summary>Runs <paramref name="action"/>, stopping the command on an engine error (nothing more can be done).</summary>
        protected void Run(Action action) => Guard(action, terminating: true);

        private void Guard(Action action, bool terminating)
        {
            try
            {
                action();
            }
            catch (MlOpsException e)
            {
                if (terminating)
                {
                    ThrowTerminatingError(ToErrorRecord(e));
                }

                WriteError(ToErrorRecord(e));
            }
            catch (OperationCanceledException) when (Cancellation.IsCancellationRequested)
            {
                throw new PipelineStoppedException();
            }
        }

        private static ErrorCategory Category(MlOpsErrorKind kind)
        {
            switch (kind)
            {
                case MlOpsErrorKind.InvalidArgument: return ErrorCategory.InvalidArgument;
                case MlOpsErrorKind.InvalidData: return ErrorCategory.InvalidData;
                case MlOpsErrorKind.NotFound: return ErrorCategory.ObjectNotFound;
                case MlOpsErrorKind.AlreadyExists: return ErrorCategory.ResourceExists;
                case MlOpsErrorKind.InvalidOperation: return ErrorCategory.InvalidOperation;
                case MlOpsErrorKind.ResourceUnavailable: return ErrorCategory.ResourceUnavailable;
                case MlOpsErrorKind.SecurityError: return ErrorCategory.SecurityError;
                case MlOpsErrorKind.WriteError: return ErrorCategory.WriteError;
                case MlOpsErrorKind.ReadError: return ErrorCategory.ReadError;
                case MlOpsErrorKind.NotInstalled: return ErrorCategory.NotInstalled;
                case MlOpsErrorKind.OperationTimeout: return ErrorCategory.OperationTimeout;
                case MlOpsErrorKind.ConnectionError: return ErrorCategory.ConnectionError;
                case MlOpsErrorKind.InvalidResult: return ErrorCategory.InvalidResult;
                default: return ErrorCategory.NotSpecified;
            }
        }

        /// <summary>Runs <paramref name="read"/> on the pipeline thread (which drains <paramref name="queue"/>) and waits for its result.</summary>
        private string OnPipelineThread(System.Collections.Concurrent.BlockingCollection<Action> queue, Func<string> read)
        {
            string? result = null;
            System.Runtime.ExceptionServices.ExceptionDispatchInfo? failure = null;
            using (var done = new System.Threading.ManualResetEventSlim())
            {
                queue.Add(() =>
                {
                    try
                    {
                        result = read();
                    }
                    catch (Exception e)
                    {
                        failure = System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e);
                    }
                    finally
                    {
                        done.Set();
                    }
                });
                done.Wait(Cancellation);
            }

            failure?.Throw();
            return result!;
        }

        /// <summary>
        /// Runs <paramref name="work"/> on a worker thread while this (pipeline) thread writes what it reports: cmdlets may
        /// only write from the pipeline thread, and parallel work reports from many.
        /// </summary>
        protected T RunOnWorker<T>(Func<IOperationReporter, T> work)
        {
            using (var queue = new System.Collections.Concurrent.BlockingCollection<Action>())
            {
                var reporter = new QueueReporter(queue, new CmdletReporter(this));
                _pipelineThread = Thread.CurrentThread.ManagedThreadId;
                _workerQueue = queue;
                var task = System.Threading.Tasks.Task.Run(() =>
                {
                    try
                    {
                        return work(reporter);
                    }
                    finally
                    {
                        queue.CompleteAdding();
                    }
                });
                foreach (var write in queue.GetConsumingEnumerable())
                {
                    write();
                }

                try
                {
                    return task.GetAwaiter().GetResult();
                }
                catch (AggregateException e) when (e.InnerExceptions.Count == 1)
                {
                    System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException!).Throw();
                    throw;
                }
                finally
                {
                    _workerQueue = null;
                }
            }
        }

        private sealed class QueueReporter : IOperationReporter
        {
            private readonly System.Collections.Concurrent.BlockingCollection<Action> _queue;
            private readonly IOperationReporter _target;

            public QueueReporter(System.Collections.Concurrent.BlockingCollection<Action> queue, IOperationReporter target)
            {
                _queue = queue;
                _target = target;
            }

            public void Verbose(string message) => Post(() => _target.Verbose(message));

            public void Warning(string message) => Post(() => _target.Warning(message));

            public void Progress(OperationProgress progress) => Post(() => _target.Progress(progress));

            private void Post(Action write)
            {
                try
                {
                    _queue.Add(write);
                }
                catch (InvalidOperationException)
                {
                    // The work has finished; nothing more is shown.
                }
            }
        }

        /// <summary>Forwards engine messages to a cmdlet's verbose, warning and progress streams.</summary>
        internal sealed class CmdletReporter : IOperationReporter
        {
            private readonly Cmdlet _cmdlet;

            public CmdletReporter(Cmdlet cmdlet)
            {
                _cmdlet = cmdlet;
            }

            public void Verbose(string message) => _cmdlet.WriteVerbose(message);

            public void Warning(string message) => _cmdlet.WriteWarning(message);

            public void Progress(OperationProgress progress)
            {
                var record = new ProgressRecord(progress.ActivityId, progress.Activity, progress.Status)
                {
                    PercentComplete = Math.Min(100, progress.PercentComplete),
                    RecordType = progress.Completed ? ProgressRecordType.Completed : ProgressRecordType.Processing,
                };
                if (!string.IsNullOrEmpty(progress.CurrentOperation))
                {
                    record.CurrentOperation = progress.CurrentOperation;
                }

                _cmdlet.WriteProgress(record);
            }
        }
    }
}
