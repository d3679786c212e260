-- Which of the deal ids a link names are in the data (any creation date): the Deals page
-- says which ones it left out. Parameters: $deal_ids (a list), $scope_agency (the user's
-- scope, queries/shared/03_scope.sql): a deal out of scope is not known.
select deal_id
from deals
where list_contains($deal_ids, deal_id) and deal_in_scope($scope_agency, deal_id)
