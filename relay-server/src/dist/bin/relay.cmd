@echo off
rem Launcher for the Writeback relay. JAVA_HOME and JAVA_OPTS are honoured.
setlocal
set "HOME_DIR=%~dp0.."
if defined JAVA_HOME (set "JAVA=%JAVA_HOME%\bin\java.exe") else (set "JAVA=java")
"%JAVA%" %JAVA_OPTS% "-Dlogback.configurationFile=%HOME_DIR%\conf\logback.xml" -cp "%HOME_DIR%\lib\*" dev.writeback.relay.RelayCommand %*
