namespace MlOps.Diagnostics
{
    /// <summary>What kind of failure an <see cref="MlOpsException"/> reports; cmdlets map it to an ErrorCategory.</summary>
    public enum MlOpsErrorKind
    {
        InvalidArgument,
        InvalidData,
        NotFound,
        AlreadyExists,
        InvalidOperation,
        ResourceUnavailable,
        SecurityError,
        WriteError,
        ReadError,
        NotInstalled,
        OperationTimeout,
        ConnectionError,
        InvalidResult,
    }
}
