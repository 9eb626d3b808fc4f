/** cdktf's test helpers, handed on so that no file outside terraform/ imports cdktf (a move to cdktn stays one change). */
export { Testing } from 'cdktf';
