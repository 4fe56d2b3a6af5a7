<#
.SYNOPSIS
    Builds, tests, demonstrates, benchmarks and packages the MlOps module.

.DESCRIPTION
    Run it with the pinned PowerShell from the repository's tool manifest:

        dotnet tool restore
        dotnet pwsh ./build.ps1 -Task Test

    Every task is idempotent and bootstraps what it needs: the module assemblies (dotnet publish into ./bin,
    where MlOps.psd1 loads them), Pester from its NuGet package, and Python with pytest and scikit-learn
    (installed with apt-get when run as root on Debian; otherwise the script says what to install).
    Tests and the demo run in fresh `pwsh -NoProfile` child processes, so they import the module as built.

.PARAMETER Task
    Build    Publishes the cmdlet assembly and its dependencies into ./bin.
    Test     Build, then the xUnit suite (dotnet test) and the Pester suite; prints 'N passed, N failed'.
    Demo     Build, then runs scripts/demo.ps1: the end-to-end tour on the Local platform.
    Bench    Build, then runs every benchmark: writes bench/results.json, bench/results.md and the table in bench/README.md.
    Docs     Build, then writes the cmdlet reference (docs/reference) from the module's help (a test checks it is current).
    Package  Build, then lays out the module as it ships in out/MlOps/<version>/ and packs it into
             out/repository/MlOps.<version>.nupkg, a local repository PSResourceGet installs from.
    Clean    Removes bin/, out/ and every project's bin/ and obj/.

.PARAMETER Tier
    Test only: which tests run (each tier's time is printed).
    Unit         The engine's xUnit tests that start no emulator and no service: under a minute, the loop to work in.
    Integration  The engine's tests against the CDF emulator and deployed services, the emulator's own tests, and the
                 Pester suite through the built module (except the resilience suite).
    Resilience   The resilience suite (tests/MlOps.Resilience.Tests and the Resilience-tagged Pester tests).
    All          All three (the default; what CI and the README run).

.PARAMETER Filter
    Test only: narrows every tier to tests whose full name contains this text (xUnit FullyQualifiedName~, Pester's
    full name as a wildcard *text*).

.PARAMETER Configuration
    The .NET build configuration (default Release).

.PARAMETER Quiet
    Less output: Pester prints failures only, and no progress bars.

.PARAMETER Quick
    Bench only: small sizes and few samples, a smoke run of every benchmark (minutes, not a quarter of an hour). Its
    results go to out/bench/quick; bench/ is left alone.

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Demo

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Build, Test

.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Test -Tier Unit -Filter LocalFolderRegistry
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench', 'Docs', 'Package', 'Clean')]
    [string[]] $Task = 'Build',

    [ValidateSet('Unit', 'Integration', 'Resilience', 'All')]
    [string] $Tier = 'All',

    [string] $Filter,

    [ValidateSet('Debug', 'Release')]
    [string] $Configuration = 'Release',

    [switch] $Quiet,

    [switch] $Quick
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot
$outFolder = Join-Path $root 'out'
$pesterVersion = '5.7.1'
if ($Quiet) { $ProgressPreference = 'SilentlyContinue' }

function Invoke-Native {
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments = @(), [switch] $AllowFailure)
    Write-Verbose "> $File $($Arguments -join ' ')"
    & $File @Arguments
    if ($LASTEXITCODE -ne 0 -and -not $AllowFailure) {
        throw "'$File $($Arguments -join ' ')' failed with exit code $LASTEXITCODE."
    }
}

function Get-ModuleVersion {
    # One source: <MlOpsVersion> in Directory.Build.props (the assemblies' version); the build stamps it into MlOps.psd1,
    # which the package lays out as it is.
    $props = [xml](Get-Content (Join-Path $root 'Directory.Build.props') -Raw)
    $version = $props.Project.PropertyGroup | ForEach-Object { $_.MlOpsVersion } | Where-Object { $_ } | Select-Object -First 1
    $manifestPath = Join-Path $root 'MlOps.psd1'
    $text = Get-Content $manifestPath -Raw
    $stamped = [regex]::Replace($text, "(?m)^(\s*ModuleVersion\s*=\s*)'[^']*'", "`${1}'$version'")
    if ($stamped -ne $text) {
        [IO.File]::WriteAllText($manifestPath, $stamped, [Text.UTF8Encoding]::new($false))
        Write-Host "Stamped ModuleVersion $version into MlOps.psd1 (from Directory.Build.props)"
    }
    $version
}

function Get-PwshCommand {
    # The pinned pwsh from the tool manifest, for child processes that must import the module fresh.
    if ($IsCoreCLR -and (Get-Command dotnet -ErrorAction SilentlyContinue)) { return @('dotnet', 'pwsh') }
    return @((Get-Process -Id $PID).Path)
}

function Invoke-Pwsh {
    param([Parameter(Mandatory)] [string[]] $Arguments, [switch] $AllowFailure)
    $command = Get-PwshCommand
    $rest = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive') + $Arguments
    Push-Location $root
    try { Invoke-Native -File $command[0] -Arguments $rest -AllowFailure:$AllowFailure } finally { Pop-Location }
}

function Invoke-Build {
    # Once per run (-Task Build, Test builds once): the whole solution in one dotnet build, then the module laid out from it
    # and the tests run from it without building again (--no-build).
    if ($script:built) { return }
    $version = Get-ModuleVersion
    Write-Host "Building MlOps $version ($Configuration): the solution, then the module into bin/"
    Invoke-Native dotnet @('build', (Join-Path $root 'MlOps.sln'), '-c', $Configuration, '--nologo', '-v', 'quiet')
    Invoke-Native dotnet @('publish', (Join-Path $root 'src/MlOps.PowerShell/MlOps.PowerShell.csproj'), '-c', $Configuration, '--no-build',
        '-o', (Join-Path $root 'bin'), '--nologo', '-v', 'quiet')
    # Third-party assemblies go to bin/Dependencies, where only MlOps's resolver finds them (an isolated load context on
    # PowerShell 7), so another module's version of the same assembly neither breaks MlOps nor is broken by it.
    $dependencies = Join-Path $root 'bin/Dependencies'
    if (Test-Path $dependencies) { Remove-Item $dependencies -Recurse -Force }
    New-Item -ItemType Directory -Path $dependencies -Force | Out-Null
    Get-ChildItem (Join-Path $root 'bin') -File | Where-Object { $_.Name -notlike 'MlOps.*' } | Move-Item -Destination $dependencies -Force
    # PowerShell looks for about_ topics and cmdlet help in <module base>/<culture>; the module base is the repository root.
    Copy-Item (Join-Path $root 'module/en-US') $root -Recurse -Force
    # Cmdlet help is generated from the XML doc comments (one source of truth), in a child process that imports the build.
    Invoke-Pwsh @('-File', (Join-Path $root 'scripts/tools/New-MlOpsHelp.ps1'), '-ModulePath', (Join-Path $root 'MlOps.psd1'),
        '-XmlDocPath', (Join-Path $root 'bin/MlOps.PowerShell.xml'), '-OutputFolder', (Join-Path $root 'en-US'))
    $script:built = $true
}

function Get-PesterPath {
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $path = Join-Path $packages.Trim() "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path $path)) {
        Write-Host "Restoring Pester $pesterVersion from NuGet"
        Invoke-Native dotnet @('restore', (Join-Path $root 'tests/tools/Bootstrap.csproj'), '--nologo', '-v', 'quiet')
    }
    if (-not (Test-Path $path)) { throw "Pester was restored but $path is missing." }
    $path
}

function Find-Python {
    # A Python that has the packages the example model and the tests use.
    $candidates = @($env:MLOPS_PYTHON, '/usr/bin/python3', 'python3', 'python') | Where-Object { $_ }
    foreach ($candidate in $candidates) {
        $command = Get-Command $candidate -ErrorAction SilentlyContinue
        if (-not $command) { continue }
        & $command.Source -c 'import pytest, sklearn' 2>$null
        if ($LASTEXITCODE -eq 0) { return $command.Source }
    }
    return $null
}

function Install-DebianPackage([string[]] $Package) {
    # Only as root on a Debian-like system; elsewhere the caller says what to install.
    $isRoot = $IsLinux -and ((& id -u) -eq '0')
    if (-not ($isRoot -and (Get-Command apt-get -ErrorAction SilentlyContinue))) { return }
    Write-Host "Installing $($Package -join ' and ') with apt-get"
    Invoke-Native apt-get @('update', '-qq')
    $env:DEBIAN_FRONTEND = 'noninteractive'
    Invoke-Native apt-get (@('install', '-y', '-qq') + $Package)
}

function Initialize-Python {
    if (Find-Python) { return }
    Install-DebianPackage 'python3-pytest', 'python3-sklearn'
    if (-not (Find-Python)) {
        throw ('No Python with pytest and scikit-learn was found. Install them (Debian/Ubuntu: ' +
            '`sudo apt-get install python3-pytest python3-sklearn`; elsewhere: `python -m pip install pytest scikit-learn`), ' +
            'or point $env:MLOPS_PYTHON at an interpreter that has them.')
    }
}

function Initialize-Git {
    # The git-lineage tests make real repositories with the git program.
    if (Get-Command git -ErrorAction SilentlyContinue) { return }
    Install-DebianPackage 'git'
    if (-not (Get-Command git -ErrorAction SilentlyContinue)) {
        throw 'The tests need the git program. Install it (Debian/Ubuntu: `sudo apt-get install git`; elsewhere: https://git-scm.com/downloads).'
    }
}

function Initialize-Strace {
    # A durability test traces a publisher's fsync calls (Linux only).
    if (-not $IsLinux -or (Test-Path /usr/bin/strace)) { return }
    Install-DebianPackage 'strace'
    if (-not (Test-Path /usr/bin/strace)) {
        throw 'The tests need strace on Linux. Install it (Debian/Ubuntu: `sudo apt-get install strace`).'
    }
}

function Read-TrxCounts([string] $folder) {
    $passed = 0; $failed = 0
    foreach ($file in Get-ChildItem $folder -Filter *.trx -Recurse) {
        $counters = ([xml](Get-Content $file.FullName -Raw)).TestRun.ResultSummary.Counters
        $passed += [int]$counters.passed
        $failed += [int]$counters.failed + [int]$counters.error + [int]$counters.timeout + [int]$counters.aborted
    }
    [pscustomobject]@{ Passed = $passed; Failed = $failed }
}

function Read-ResilienceCounts([string] $folder) {
    # The resilience suite's xUnit scenarios per category: the test class (ConcurrencyScenarios …) names it.
    $categories = [ordered]@{}
    foreach ($file in Get-ChildItem $folder -Filter *.trx -Recurse -ErrorAction SilentlyContinue) {
        $run = ([xml](Get-Content $file.FullName -Raw)).TestRun
        $classes = @{}
        foreach ($test in $run.TestDefinitions.UnitTest) { $classes[$test.id] = $test.TestMethod.className }
        foreach ($outcome in $run.Results.UnitTestResult) {
            $class = ($classes[$outcome.testId] -split '\.')[-1]
            $name = ($class -replace 'Scenarios$', '' -creplace '(?<=[a-z])([A-Z])', ' $1').ToLowerInvariant()
            if (-not $categories.Contains($name)) { $categories[$name] = [ordered]@{ Passed = 0; Failed = 0 } }
            if ($outcome.outcome -eq 'Passed') { $categories[$name].Passed++ } elseif ($outcome.outcome -ne 'NotExecuted') { $categories[$name].Failed++ }
        }
    }
    $categories
}

function Write-ResilienceSummary($xunit, $pester) {
    # One line with the suite's totals: "resilience: N scenarios tried, N passed (concurrency 3/3, …)".
    $all = [ordered]@{}
    foreach ($source in @($xunit, $pester)) {
        if (-not $source) { continue }
        foreach ($name in @($source.Keys)) {
            $key = ($name -creplace '(?<=[a-z])([A-Z])', ' $1').ToLowerInvariant()
            if (-not $all.Contains($key)) { $all[$key] = [ordered]@{ Passed = 0; Failed = 0 } }
            $all[$key].Passed += [int]$source[$name].Passed
            $all[$key].Failed += [int]$source[$name].Failed
        }
    }
    $passed = ($all.Values | ForEach-Object { $_.Passed } | Measure-Object -Sum).Sum
    $tried = $passed + ($all.Values | ForEach-Object { $_.Failed } | Measure-Object -Sum).Sum
    $parts = foreach ($key in $all.Keys) { "$key $($all[$key].Passed)/$($all[$key].Passed + $all[$key].Failed)" }
    Write-Host "resilience: $([int]$tried) scenarios tried, $([int]$passed) passed ($($parts -join ', '))"
}

function Invoke-XUnit([string] $Project, [string] $TraitFilter, [string] $Results) {
    # Each tier's xUnit part: one project, an optional trait filter, and -Filter on the full names.
    $filters = @($TraitFilter, $(if ($Filter) { "FullyQualifiedName~$Filter" })) | Where-Object { $_ }
    $arguments = @('test', (Join-Path $root "tests/$Project/$Project.csproj"), '-c', $Configuration, '--no-build', '--nologo',
        '--logger', 'trx', '--logger', 'console;verbosity=minimal', '--results-directory', (Join-Path $Results $Project))
    if ($filters) { $arguments += @('--filter', ($filters -join '&')) }
    Write-Host "xUnit: tests/$Project$(if ($filters) { " ($($filters -join ' & '))" })"
    Invoke-Native dotnet $arguments -AllowFailure
}

function Invoke-PesterTier([string] $Results, [string[]] $Tag, [string[]] $ExcludeTag) {
    Write-Host "Pester: tests/Pester$(if ($Tag) { " (tag $($Tag -join ', '))" })$(if ($ExcludeTag) { " (without tag $($ExcludeTag -join ', '))" })"
    $pesterResult = Join-Path $Results "pester-$([guid]::NewGuid().ToString('N').Substring(0, 8)).json"
    $arguments = @('-File', (Join-Path $root 'tests/Pester/Invoke-PesterSuite.ps1'), '-PesterPath', (Get-PesterPath),
        '-ResultPath', $pesterResult, '-Output', $(if ($Quiet) { 'Minimal' } else { 'Normal' }))
    if ($Tag) { $arguments += @('-Tag', ($Tag -join ',')) }
    if ($ExcludeTag) { $arguments += @('-ExcludeTag', ($ExcludeTag -join ',')) }
    if ($Filter) { $arguments += @('-FullNameFilter', "*$Filter*") }
    Invoke-Pwsh $arguments -AllowFailure | Out-Host
    $pester = if (Test-Path $pesterResult) { Get-Content $pesterResult -Raw | ConvertFrom-Json -AsHashtable } else { $null }
    if ($null -eq $pester -or $null -eq $pester['Passed'] -or $null -eq $pester['Failed']) {
        Write-Warning 'Pester reported no counts: the run counts as failed.'
        $pester = @{ Passed = 0; Failed = 1; Resilience = $null }
    }
    $pester
}

function Invoke-Test {
    Invoke-Build
    Initialize-Python
    Initialize-Git
    Initialize-Strace
    $results = Join-Path $outFolder 'test-results'
    if (Test-Path $results) { Remove-Item $results -Recurse -Force }
    New-Item -ItemType Directory -Path $results -Force | Out-Null
    $tiers = if ($Tier -eq 'All') { 'Unit', 'Integration', 'Resilience' } else { @($Tier) }
    $pesterPassed = 0; $pesterFailed = 0; $pesterResilience = $null
    $times = [ordered]@{}
    foreach ($name in $tiers) {
        $clock = [Diagnostics.Stopwatch]::StartNew()
        Write-Host "== $name tier"
        switch ($name) {
            'Unit' {
                # The unit tier refuses to start an emulator (CdfEmulatorServer checks MLOPS_TEST_TIER): a test that needs
                # one belongs to the Integration tier ([Trait("Tier", "Integration")] on its class).
                $env:MLOPS_TEST_TIER = 'Unit'
                try { Invoke-XUnit 'MlOps.Core.Tests' 'Tier!=Integration' $results } finally { $env:MLOPS_TEST_TIER = $null }
            }
            'Integration' {
                Invoke-XUnit 'MlOps.Core.Tests' 'Tier=Integration' $results
                Invoke-XUnit 'MlOps.CdfEmulator.Tests' '' $results
                $pester = Invoke-PesterTier $results -ExcludeTag 'Resilience'
                $pesterPassed += [int]$pester['Passed']; $pesterFailed += [int]$pester['Failed']
            }
            'Resilience' {
                Invoke-XUnit 'MlOps.Resilience.Tests' '' $results
                $pester = Invoke-PesterTier $results -Tag 'Resilience'
                $pesterPassed += [int]$pester['Passed']; $pesterFailed += [int]$pester['Failed']
                $pesterResilience = $pester['Resilience']
            }
        }
        $times[$name] = $clock.Elapsed
    }

    $xunit = Read-TrxCounts $results
    if ($xunit.Passed + $xunit.Failed + $pesterPassed + $pesterFailed -eq 0 -and -not $Filter) { $xunit.Failed = 1; Write-Warning 'No test ran.' }
    $passed = $xunit.Passed + $pesterPassed
    $failed = $xunit.Failed + $pesterFailed
    Write-Host "xUnit: $($xunit.Passed) passed, $($xunit.Failed) failed; Pester: $pesterPassed passed, $pesterFailed failed"
    Write-Host ('tier times: ' + (($times.Keys | ForEach-Object { '{0} {1:m\:ss}' -f $_, $times[$_] }) -join ', '))
    if ($tiers -contains 'Resilience') {
        Write-ResilienceSummary (Read-ResilienceCounts (Join-Path $results 'MlOps.Resilience.Tests')) $pesterResilience
    }
    if ($failed -gt 0) { Write-Host "$failed test(s) failed; see the output above." -ForegroundColor Red; $script:exitCode = 1 }
    # The closing line CI reads.
    Write-Output "$passed passed, $failed failed"
}

function Invoke-Demo {
    Invoke-Build
    Initialize-Python
    Invoke-Pwsh @('-File', (Join-Path $root 'scripts/demo.ps1'), '-Python', (Find-Python))
}

function Invoke-Bench {
    # Every benchmark writes its figures (ratios against baselines of the same run) as JSON into out/bench/figures;
    # Write-BenchResults.ps1 merges them into bench/results.json and bench/results.md and puts the table into bench/README.md.
    # -Quick: small sizes, a smoke run; its results go to out/bench/quick and bench/ is left alone.
    Invoke-Build
    Initialize-Python
    $clock = [Diagnostics.Stopwatch]::StartNew()
    $startLoad = if (Test-Path /proc/loadavg) { (Get-Content /proc/loadavg -Raw).Split(' ')[0] } else { '' }
    $figures = Join-Path $outFolder 'bench/figures'
    if (Test-Path $figures) { Remove-Item $figures -Recurse -Force }
    New-Item -ItemType Directory -Path $figures -Force | Out-Null
    $dotnetArguments = @('run', '--project', (Join-Path $root 'tests/MlOps.Benchmarks/MlOps.Benchmarks.csproj'), '-c', 'Release', '--',
        '--out', (Join-Path $figures 'dotnet.json'))
    if ($Quick) { $dotnetArguments += '--quick' }
    Invoke-Native dotnet $dotnetArguments
    $env:MLOPS_PYTHON = Find-Python
    foreach ($script in Get-ChildItem (Join-Path $root 'tests/Benchmarks') -Filter 'Measure-*.ps1' | Sort-Object Name) {
        Write-Host "$($script.BaseName):"
        $arguments = @('-File', $script.FullName, '-OutFile', (Join-Path $figures "$($script.BaseName).json"))
        if ($Quick) { $arguments += '-Quick' }
        Invoke-Pwsh $arguments
    }
    $arguments = @('-File', (Join-Path $root 'tests/Benchmarks/Write-BenchResults.ps1'), '-InputFolder', $figures,
        '-TotalSeconds', [int]$clock.Elapsed.TotalSeconds, '-StartLoad', $startLoad)
    if ($Quick) { $arguments += @('-OutFolder', (Join-Path $outFolder 'bench/quick')) }
    else { $arguments += @('-OutFolder', (Join-Path $root 'bench'), '-ReadmePath', (Join-Path $root 'bench/README.md')) }
    Invoke-Pwsh $arguments
}

function Invoke-Docs {
    Invoke-Build
    Invoke-Pwsh @('-File', (Join-Path $root 'scripts/tools/New-MlOpsReference.ps1'), '-ModulePath', (Join-Path $root 'MlOps.psd1'),
        '-OutputFolder', (Join-Path $root 'docs/reference'))
}

function Invoke-Package {
    Invoke-Build
    # Lays out out/MlOps/<version>/ and packs out/repository/MlOps.<version>.nupkg (a PSResourceGet file repository).
    $result = & (Join-Path $root 'scripts/tools/New-MlOpsPackage.ps1') -RepositoryRoot $root -OutputFolder $outFolder
    Write-Host "Packaged MlOps $(Get-ModuleVersion) into $($result.Module)"
    Write-Host "PSResourceGet package: $($result.Package)"
    Write-Host "Install it: Register-PSResourceRepository -Name MlOpsLocal -Uri '$($result.Repository)' -Trusted; Install-PSResource MlOps -Repository MlOpsLocal"
}

function Invoke-Clean {
    foreach ($folder in @('bin', 'out', 'en-US') | ForEach-Object { Join-Path $root $_ }) {
        if (Test-Path $folder) { Remove-Item $folder -Recurse -Force }
    }
    Get-ChildItem (Join-Path $root 'src'), (Join-Path $root 'tests') -Directory -Recurse -Include bin, obj |
        Remove-Item -Recurse -Force -ErrorAction SilentlyContinue
}

$script:exitCode = 0
$script:built = $false
foreach ($name in $Task) {
    switch ($name) {
        'Build' { Invoke-Build }
        'Test' { Invoke-Test }
        'Demo' { Invoke-Demo }
        'Bench' { Invoke-Bench }
        'Docs' { Invoke-Docs }
        'Package' { Invoke-Package }
        'Clean' { Invoke-Clean }
    }
}
exit $script:exitCode
