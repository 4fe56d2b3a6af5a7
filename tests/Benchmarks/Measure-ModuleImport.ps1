<#
.SYNOPSIS
    Benchmark: module import time, Import-Module to the first cmdlet ready in a fresh pwsh, against the same for
    Microsoft.PowerShell.Archive (a module that ships with PowerShell); and, for MlOps, to a first cmdlet's answer.

.DESCRIPTION
    Each sample is a new `pwsh -NoProfile` process that starts a stopwatch, imports the module and resolves its first
    cmdlet (Get-Command Get-MlSetting / Compress-Archive), so the cmdlet can run. The process start itself is not counted
    (the same for both). A third sample also runs that first MlOps cmdlet to completion (Get-MlSetting on a one-model
    project: reading and validating settings, JIT included). The kinds alternate; the median of each is taken.
    Writes its figures to -OutFile (see BenchFigures.ps1). Run by build.ps1 -Task Bench.
#>
[CmdletBinding()]
param(
    [int] $Samples = 7,
    [string] $OutFile,
    [switch] $Quick
)
$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'BenchFigures.ps1')
$started = [Diagnostics.Stopwatch]::StartNew()
if ($Quick) { $Samples = 3 }
$manifest = (Resolve-Path (Join-Path $PSScriptRoot '../../MlOps.psd1')).Path
$work = Join-Path ([IO.Path]::GetTempPath()) "mlops-import-bench-$([guid]::NewGuid().ToString('N'))"
New-Item -ItemType Directory -Path (Join-Path $work 'models/m') -Force | Out-Null
'model.py', 'test_model.py', 'requirements.model' | ForEach-Object { Set-Content (Join-Path $work "models/m/$_") '' }
'{ "models": [ { "name": "m", "codeFolder": "models/m" } ] }' | Set-Content (Join-Path $work 'mlops.settings.json')
Set-Content (Join-Path $work 'small.txt') 'a small file'

$pwsh = Join-Path $PSHOME $(if ($IsWindows) { 'pwsh.exe' } else { 'pwsh' })
[string[]] $command = if (Test-Path $pwsh) { @($pwsh) } else { @('dotnet', (Join-Path $PSHOME 'pwsh.dll')) }

function Measure-FreshImport([string] $Body) {
    $script = '$clock = [Diagnostics.Stopwatch]::StartNew(); ' + $Body + '; [Console]::Out.WriteLine("IMPORT_MS " + $clock.Elapsed.TotalMilliseconds.ToString([cultureinfo]::InvariantCulture))'
    $encoded = [Convert]::ToBase64String([Text.Encoding]::Unicode.GetBytes($script))
    $arguments = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-EncodedCommand', $encoded)
    $output = & $command[0] @arguments 2>&1
    if ($LASTEXITCODE -ne 0) { throw "The import sample failed: $($output -join "`n")" }
    $line = $output | Where-Object { "$_" -match '^IMPORT_MS ' } | Select-Object -Last 1
    [double]::Parse(("$line" -replace '^IMPORT_MS ', ''), [cultureinfo]::InvariantCulture)
}

try {
    $mlops = @(); $archive = @(); $firstCall = @()
    foreach ($i in 1..$Samples) {
        $mlops += Measure-FreshImport "Import-Module '$manifest'; `$null = Get-Command Get-MlSetting -Module MlOps -ErrorAction Stop"
        $archive += Measure-FreshImport "Import-Module Microsoft.PowerShell.Archive; `$null = Get-Command Compress-Archive -Module Microsoft.PowerShell.Archive -ErrorAction Stop"
        $firstCall += Measure-FreshImport "Import-Module '$manifest'; `$null = Get-MlSetting -SettingsPath '$work'"
        Write-Verbose ("sample {0}: MlOps {1:0} ms, Archive {2:0} ms, MlOps with a first Get-MlSetting {3:0} ms" -f $i, $mlops[-1], $archive[-1], $firstCall[-1])
    }
    $median = { param($values) $sorted = @($values | Sort-Object); $sorted[[int][math]::Floor($sorted.Count / 2)] }
    $figures = @(
        New-BenchFigure -Name 'module import: MlOps / Microsoft.PowerShell.Archive' -Group 'import' `
            -BaselineName 'Import-Module Microsoft.PowerShell.Archive, Compress-Archive ready' -BaselineValue (& $median $archive) `
            -MeasuredName 'Import-Module MlOps, Get-MlSetting ready' -MeasuredValue (& $median $mlops) -Unit 'ms' `
            -TargetOf ratio -TargetOp '<=' -TargetValue 2 -Note "median of $Samples fresh pwsh -NoProfile processes each, process start not counted"
        New-BenchFigure -Name 'module import + first Get-MlSetting answer / Archive import' -Group 'import' `
            -BaselineName 'Import-Module Microsoft.PowerShell.Archive, Compress-Archive ready' -BaselineValue (& $median $archive) `
            -MeasuredName 'Import-Module MlOps, then Get-MlSetting reads a project' -MeasuredValue (& $median $firstCall) -Unit 'ms' `
            -Note 'the first call also loads the settings libraries and JIT-compiles the settings code'
    )
    Save-BenchFigures -Figures $figures -OutFile $OutFile -Benchmark 'module-import' -Seconds $started.Elapsed.TotalSeconds
}
finally {
    Remove-Item $work -Recurse -Force -ErrorAction SilentlyContinue
}
